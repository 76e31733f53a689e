import Foundation
import HeraldCore
import Synchronization

/// `adapter: "log"` issuer: appends one JSON line per coupon to a file and issues Herald's
/// own code — the sandbox's coupon system, so what its messages promise is written down.
public final class LogCouponIssuer: CouponIssuer {
    public static let adapterName = "log"
    public static let optionKeys = ["path"]

    public let name: String
    public let path: String
    private let clock: any WallClock
    /// Appends from concurrent sends must not interleave.
    private let file: Mutex<FileHandle>

    static func check(_ options: ProviderOptions) {
        guard let path = options.path("path", required: true) else { return }
        if let problem = WritableFile.problem(path) { options.problem("path", problem) }
    }

    static func make(_ options: ProviderOptions, context: ChannelContext) throws -> LogCouponIssuer {
        check(options)
        try options.throwFirstProblem()
        let path = options.path("path") ?? ""
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw options.problemDiagnostic("path", "cannot open \(path) for appending: \(String(cString: strerror(errno)))")
        }
        return LogCouponIssuer(name: options.settingName, path: path, clock: context.clock,
                               file: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    private init(name: String, path: String, clock: any WallClock, file: FileHandle) {
        self.name = name
        self.path = path
        self.clock = clock
        self.file = Mutex(file)
    }

    public func issue(_ coupon: CouponRequest) async -> CouponIssuance {
        let line = JSONOutput.object([
            ("at", .string(InstantFormatter.utcString(from: clock.now()))),
            ("idempotency_key", .string(coupon.idempotencyKey)), ("code", .string(coupon.code)),
            ("title", .string(coupon.title)), ("expires_at", .string(InstantFormatter.utcString(from: coupon.expiresAt))),
            ("member_id", .string(coupon.memberID)), ("trigger", .string(coupon.triggerID)),
        ]).rendered() + "\n"
        do {
            try file.withLock { try $0.write(contentsOf: Data(line.utf8)) }
            return .issued(code: coupon.code)
        } catch {
            return .failed(.transient(error: "writing \(path): \(error)", httpStatus: nil, retryAfter: nil))
        }
    }
}
