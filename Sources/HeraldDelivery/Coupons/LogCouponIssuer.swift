import Foundation
import HeraldCore

/// `adapter: "log"` issuer: appends one JSON line per coupon to a file and issues Herald's
/// own code — the sandbox's coupon system, so what its messages promise is written down.
public final class LogCouponIssuer: CouponIssuer {
    public static let adapterName = "log"
    public static let optionKeys = ["path"]

    public let name: String
    private let file: AppendOnlyFile
    private let clock: any WallClock

    static func check(_ options: ProviderOptions) {
        guard let path = options.path("path", required: true) else { return }
        if let problem = WritableFile.problem(path) { options.problem("path", problem) }
    }

    static func make(_ options: ProviderOptions, context: ChannelContext) throws -> LogCouponIssuer {
        check(options)
        try options.throwFirstProblem()
        let path = options.path("path") ?? ""
        do {
            let file = try AppendOnlyFile(path: path)
            return LogCouponIssuer(name: options.settingName, file: file, clock: context.clock)
        } catch {
            throw options.problemDiagnostic("path", "cannot open \(path) for appending: \(error.reason)")
        }
    }

    private init(name: String, file: AppendOnlyFile, clock: any WallClock) {
        self.name = name
        self.file = file
        self.clock = clock
    }

    public func issue(_ coupon: CouponRequest) async -> CouponIssuance {
        let line = JSONOutput.object([
            ("at", .string(InstantFormatter.utcString(from: clock.now()))),
            ("idempotency_key", .string(coupon.idempotencyKey)), ("code", .string(coupon.code)),
            ("title", .string(coupon.title)), ("expires_at", .string(InstantFormatter.utcString(from: coupon.expiresAt))),
            ("member_id", .string(coupon.memberID)), ("trigger", .string(coupon.triggerID)),
        ]).rendered() + "\n"
        do {
            try file.append(line)
            return .issued(code: coupon.code)
        } catch {
            return .failed(.transient(error: "writing \(file.path): \(error)", httpStatus: nil, retryAfter: nil))
        }
    }
}
