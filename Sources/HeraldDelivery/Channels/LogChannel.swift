import Foundation
import HeraldCore
import Synchronization

/// `adapter: "log"`: appends one JSON line per message to a file instead of calling a
/// gateway — the sandbox's and tests' channel. The address is masked, like everywhere
/// outside a real gateway call.
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
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ChannelSetupError("channel \(name): cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ChannelSetupError("channel \(name): cannot open \(path) for writing")
        }
        handle.seekToEndOfFile()
        file = Mutex(handle)
    }

    public static func make(_ config: ChannelConfig, secrets: SecretSource, clock: any WallClock) throws -> LogChannel {
        guard let path = config.path else { throw ChannelSetupError("channel \(config.name): the log adapter needs a path") }
        return try LogChannel(name: config.name, path: path, clock: clock)
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
