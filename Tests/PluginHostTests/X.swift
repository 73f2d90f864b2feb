import PluginHost
