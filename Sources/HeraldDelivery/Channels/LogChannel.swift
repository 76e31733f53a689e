import Foundation
import HeraldCore
import Synchronization

/// `adapter: "log"`: appends one JSON line per message to a file instead of calling a
/// gateway — the sandbox's and tests' channel. The address is masked, like everywhere
/// outside a real gateway call; the file is created readable by its owner only (0600).
public final class LogChannel: ChannelAdapter {
    public static let adapterName = "log"
    public static let optionKeys = ["path"]
    public static let kinds: Set<ChannelKind> = Set(ChannelKind.allCases)
    public let name: String
    public let path: String
    private let clock: any WallClock
    private let file: AppendOnlyFile

    public init(name: String, path: String, clock: any WallClock) throws {
        self.name = name
        self.path = path
        self.clock = clock
        do {
            file = try AppendOnlyFile(path: path)
        } catch {
            throw Diagnostic(file: path, message: "channel \(name): cannot open for appending: \(error.reason)")
        }
    }

    public static func check(_ options: ProviderOptions) {
        guard let path = options.path("path", required: true) else { return }
        if let problem = WritableFile.problem(path) { options.problem("path", problem) }
    }

    public static func make(_ options: ProviderOptions, context: ChannelContext) throws -> LogChannel {
        check(options)
        try options.throwFirstProblem()
        let path = options.path("path") ?? ""
        do {
            return try LogChannel(name: options.name, path: path, clock: context.clock)
        } catch let diagnostic as Diagnostic {
            throw options.problemDiagnostic("path", diagnostic.message)
        }
    }

    /// The files the config's log providers append to (the sandbox names them).
    public static func paths(in config: HeraldConfig) -> [String] {
        config.channels.flatMap(\.providers).filter { $0.adapter == adapterName }.compactMap { provider in
            ProviderOptions(provider, allowedKeys: optionKeys, secrets: SecretSource(environment: [:])).path("path")
        }
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        var fields: [(String, JSONOutput)] = [
            ("at", .string(InstantFormatter.utcString(from: clock.now()))), ("channel", .string(message.channel)),
            ("idempotency_key", .string(message.idempotencyKey)),
            ("to", .string(AddressMask.masked(message.to, kind: message.channelKind))),
            ("title", .optional(message.title)), ("text", .string(message.text)),
        ]
        // What a template-based provider would have been sent (sandbox previews of a live config).
        if let content = message.providerContent { fields.append(("provider_content", JSONOutput(content))) }
        if let html = message.html { fields.append(("html", .string(html))) }
        if let unsubscribe = message.unsubscribeURL, message.category == .marketing {
            fields.append(("list_unsubscribe", .string(unsubscribe)))
        }
        let line = JSONOutput.object(fields).rendered() + "\n"
        do {
            try file.append(line)
            return .accepted(providerID: nil, httpStatus: nil)
        } catch {
            return .transient(error: "writing \(path): \(error)", httpStatus: nil, retryAfter: nil)
        }
    }
}
