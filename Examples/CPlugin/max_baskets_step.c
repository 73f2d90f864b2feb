/*
 * A sizing step in plain C, built from arb_plugin.h alone:
 *
 *   cc -shared -fPIC -O2 -I ../../PluginAPI/CArbPluginAPI/include \
 *      -o libMaxBasketsStep.so max_baskets_step.c
 *
 * It caps every basket at `max_baskets` contracts (config, decimal string or integer).
 * PLUGIN_VERSION may be overridden with -DPLUGIN_VERSION='"2.0.0"'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arb_plugin.h"

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif

typedef struct {
    int64_t max_baskets_centi;
} max_baskets_step;

static void say(const arb_text_sink *sink, const char *text) {
    if (sink && sink->write) sink->write(sink->ctx, text, strlen(text));
}

static arb_status create(const arb_plugin_descriptor *self, const arb_host *host, const arb_config *config,
                         void **out_instance, const arb_text_sink *error) {
    (void)self;
    (void)host;
    if (!config || !out_instance) return ARB_ERR_INVALID_ARGUMENT;
    /* Deny unknown keys: a typo must fail loudly. */
    if (config->key_count(config) != 1) {
        say(error, "only one key is known: max_baskets");
        return ARB_ERR_CONFIG;
    }
    int64_t cap = 0;
    arb_status st = config->get_fixed(config, "max_baskets", ARB_CENTI, &cap);
    if (st == ARB_ERR_NOT_FOUND) {
        say(error, "missing key max_baskets (contracts per basket cap, e.g. \"25\")");
        return ARB_ERR_CONFIG;
    }
    if (st != ARB_OK || cap <= 0) {
        say(error, "max_baskets must be a positive number of contracts");
        return ARB_ERR_CONFIG;
    }
    max_baskets_step *step = calloc(1, sizeof *step);
    if (!step) return ARB_ERR_INTERNAL;
    step->max_baskets_centi = cap;
    *out_instance = step;
    return ARB_OK;
}

static void destroy(void *instance) { free(instance); }

static arb_status size(void *instance, const arb_sizing_context *context, const arb_opportunity *opportunity,
                       arb_sizing_decision *decision, const arb_text_sink *reason, const arb_metric_sink *metrics) {
    (void)context;
    (void)opportunity;
    if (!instance || !decision) return ARB_ERR_INVALID_ARGUMENT;
    const max_baskets_step *step = instance;
    char text[96];
    if (decision->baskets_centi > step->max_baskets_centi) {
        decision->verdict = ARB_SIZE_RESIZE;
        decision->baskets_centi = step->max_baskets_centi;
        snprintf(text, sizeof text, "capped at %lld.%02lld contracts", (long long)(step->max_baskets_centi / 100),
                 (long long)(step->max_baskets_centi % 100));
    } else {
        decision->verdict = ARB_SIZE_KEEP;
        snprintf(text, sizeof text, "within cap");
    }
    say(reason, text);
    if (metrics && metrics->write) {
        arb_metric m = {{"cap_centi", 9}, step->max_baskets_centi};
        metrics->write(metrics->ctx, &m);
    }
    return ARB_OK;
}

static const arb_sizing_step_v1 vtable = {sizeof(arb_sizing_step_v1), 0, size};

static const arb_plugin_descriptor descriptor = {
    sizeof(arb_plugin_descriptor), ARB_ABI_MAJOR, ARB_ABI_MINOR, ARB_KIND_SIZING, 0,
    "sizing.max_baskets", "Max baskets cap (C example)", PLUGIN_VERSION, "example", "cc",
    create, destroy, NULL, &vtable, NULL};

ARB_EXPORT const arb_plugin_descriptor *arb_plugin_entry_v1(void) { return &descriptor; }
