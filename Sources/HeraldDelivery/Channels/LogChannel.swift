import Foundation
import HeraldCore
import Synchronization

/// `adapter: "log"`: appends one JSON line per message to a file instead of calling a
/// gateway — the sandbox's and tests' channel. The address is masked, like everywhere
/// outside a real gateway call; the file is created readable by its owner only (0600).
public final class LogChannel: ChannelAdapter {
    public static let adapter = ChannelConfig.Adapter.log
    public let name: String
    public let path: String
    private let clock: any WallClock
    /// Appends from concurrent sends must not interleave.
    private let file: Mutex<FileHandle>

    public init(name: String, path: String, clock: any WallClock) throws {
        self.name = name
        self.path = path
        self.clock = clock
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw Diagnostic(file: path, message: "channel \(name): cannot open for appending: \(reason)")
        }
        file = Mutex(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    public static func check(_ config: ChannelConfig, secrets: SecretSource) throws {
        guard let path = config.path else { throw config.problem(nil, "the log adapter needs a path") }
        if let problem = WritableFile.problem(path) { throw config.problem("path", problem) }
    }

    public static func make(_ config: ChannelConfig, context: ChannelContext) throws -> LogChannel {
        try check(config, secrets: context.secrets)
        do {
            return try LogChannel(name: config.name, path: config.path ?? "", clock: context.clock)
        } catch let diagnostic as Diagnostic {
            throw config.problem("path", diagnostic.message)
        }
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        let line = JSONOutput.object([
            ("at", .string(InstantFormatter.utcString(from: clock.now()))), ("channel", .string(message.channel)),
            ("idempotency_key", .string(message.idempotencyKey)),
            ("to", .string(AddressMask.masked(message.to, kind: message.channelKind))),
            ("title", .optional(message.title)), ("text", .string(message.text)),
        ]).rendered() + "\n"
        do {
            try file.withLock { try $0.write(contentsOf: Data(line.utf8)) }
            return .accepted(providerID: nil, httpStatus: nil)
        } catch {
            return .transient(error: "writing \(path): \(error)", httpStatus: nil, retryAfter: nil)
        }
    }
}
