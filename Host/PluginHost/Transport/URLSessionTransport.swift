import Foundation
import PluginKit

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Performs venue plugins' HTTP requests with URLSession (libcurl on Linux). A transport failure
/// comes back as status 0 with the reason in the body, so the plugin sees it like any other answer.
public struct URLSessionTransport: Sendable {
    let session: URLSession
    let clock: @Sendable () -> Int64

    public init(timeout: TimeInterval = 10, clock: @escaping @Sendable () -> Int64 = HostRuntime.wallClock) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
        self.clock = clock
    }

    public func perform(_ request: HTTPRequest) async -> HTTPResponse {
        guard let url = URL(string: request.url) else {
            return HTTPResponse(
                status: 0, body: Array("invalid URL \(request.url)".utf8), receiveTime: clock(), tag: request.tag)
        }
        var r = URLRequest(url: url)
        r.httpMethod = request.method.name
        for header in request.headers { r.setValue(header.value, forHTTPHeaderField: header.name) }
        if !request.body.isEmpty { r.httpBody = Data(request.body) }
        do {
            let (data, response) = try await session.data(for: r)
            let http = response as? HTTPURLResponse
            let headers = (http?.allHeaderFields ?? [:]).compactMap { key, value in
                (key as? String).map { HTTPHeader($0, "\(value)") }
            }
            return HTTPResponse(
                status: Int32(http?.statusCode ?? 0), headers: headers, body: Array(data), receiveTime: clock(),
                tag: request.tag)
        } catch {
            return HTTPResponse(
                status: 0, body: Array("transport error: \(error)".utf8), receiveTime: clock(), tag: request.tag)
        }
    }
}
