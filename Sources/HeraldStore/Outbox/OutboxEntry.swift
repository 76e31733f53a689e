import Foundation
import HeraldCore

/// One outbox row as operators see it (`herald outbox list/show`), address masked.
public struct OutboxEntry: Sendable {
    public struct Attempt: Sendable {
        public var number: Int
        public var startedAt: Date
        public var finishedAt: Date?
        public var outcome: String
        public var httpStatus: Int?
        public var latencyMilliseconds: Int?
        public var error: String?
        /// The provider called (channels routing over several providers).
        public var provider: String?
    }

    public var key: Int64
    public var triggerID: String
    public var memberID: String
    public var channel: String
    public var maskedAddress: String
    public var template: String
    public var variant: String?
    public var title: String?
    public var text: String
    public var idempotencyKey: String
    public var scheduledAt: Date
    public var expiresAt: Date?
    public var status: String
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var providerID: String?
    /// The provider that accepted it, and what that cost (thousandths of a fen).
    public var provider: String?
    public var costMillifen: Int64?
    /// The provider template and params it carries (`outbox.provider_content`).
    public var providerContent: String?
    /// The member's zone (nil: the config's default), for showing times on their clock.
    public var timeZoneIdentifier: String?
}

/// Which rows `herald outbox list` shows.
public struct OutboxFilter: Sendable {
    public var status: String?
    public var triggerID: String?
    public var memberID: String?
    public var limit: Int

    public init(status: String? = nil, triggerID: String? = nil, memberID: String? = nil, limit: Int = 100) {
        self.status = status
        self.triggerID = triggerID
        self.memberID = memberID
        self.limit = limit
    }
}
