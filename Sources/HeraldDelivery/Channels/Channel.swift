import Foundation
import HeraldCore

/// One provider: turns one message into one gateway call (SPEC 5 and 7). Never throws:
/// every failure is classified, so the router and the dispatcher know what to do next.
public protocol Channel: Sendable {
    /// The provider's name (`tencent`; an inline provider is named like its channel).
    var name: String { get }
    func send(_ message: ChannelMessage) async -> ChannelResult
}

/// How an adapter is made from its config entry. Adding an adapter is one file conforming
/// to this and one line in `ChannelFactory.adapters`; Core knows no adapter names.
public protocol ChannelAdapter: Channel {
    /// The `adapter:` value in the config.
    static var adapterName: String { get }
    /// The keys of its own options (besides `ProviderConfig.commonKeys`).
    static var optionKeys: [String] { get }
    /// The channel kinds it can deliver.
    static var kinds: Set<ChannelKind> { get }
    /// What it needs from `MessageTemplates/<template>/<kind>.providers.json5`; nil when it
    /// sends the rendered local text.
    static var mapping: ProviderMappingRules? { get }
    /// Reads and checks every option, with no side effect (no file opened, no connection):
    /// `herald validate` runs this, so what start-up would refuse is reported before
    /// start-up. Problems go to `options`.
    static func check(_ options: ProviderOptions)
    /// Builds it; throws the first problem `check` would report, as a `Diagnostic`.
    static func make(_ options: ProviderOptions, context: ChannelContext) throws -> Self
}

extension ChannelAdapter {
    public static var mapping: ProviderMappingRules? { nil }
}

/// An adapter whose options read into one `Settings` value: `check` reads them, `make`
/// reads them and builds the adapter from them, throwing the first problem.
public protocol SettingsAdapter: ChannelAdapter {
    associatedtype Settings
    /// Nil when an option is wrong (each problem reported to `options`).
    static func settings(_ options: ProviderOptions) -> Settings?
    init(name: String, settings: Settings, context: ChannelContext)
}

extension SettingsAdapter {
    public static func check(_ options: ProviderOptions) {
        _ = settings(options)
    }

    public static func make(_ options: ProviderOptions, context: ChannelContext) throws -> Self {
        let settings = settings(options)
        try options.throwFirstProblem()
        guard let settings else { throw options.problemDiagnostic(nil, "its options cannot be read") }
        return Self(name: options.name, settings: settings, context: context)
    }
}

extension ProviderOptions {
    /// `pull_receipts_every`, for adapters that can pull receipts.
    static let receiptPullKey = "pull_receipts_every"
    static let receiptPullRange = TimeSpan(seconds: 10)...TimeSpan(hours: 1)

    var receiptPullInterval: TimeSpan? { timeSpan(Self.receiptPullKey, in: Self.receiptPullRange) }
}

/// A provider that can fetch delivery receipts itself (`pull_receipts_every`), until an HTTP
/// endpoint receives them (issue 12, item 9).
public protocol ReceiptPulling: Channel {
    /// How often `herald run` pulls; nil when the provider's `pull_receipts_every` is not set.
    var receiptPullInterval: TimeSpan? { get }
    /// Receipts that arrived since the last pull. `pending`: recent sends it accepted that
    /// still have none, for providers that can only be asked message by message.
    func pullReceipts(pending: [PendingReceipt]) async -> Result<[ProviderReceipt], ReceiptPullFailure>
}

public struct PendingReceipt: Sendable, Equatable {
    public var providerID: String
    /// Never logged.
    public var address: String
    public var sentAt: Date

    public init(providerID: String, address: String, sentAt: Date) {
        self.providerID = providerID
        self.address = address
        self.sentAt = sentAt
    }
}

public struct ProviderReceipt: Sendable, Equatable {
    public var providerID: String
    public var delivered: Bool
    public var at: Date
    /// The provider's status text (`DELIVERED`, `用户短信送达成功`, an error code).
    public var detail: String

    public init(providerID: String, delivered: Bool, at: Date, detail: String) {
        self.providerID = providerID
        self.delivered = delivered
        self.at = at
        self.detail = detail
    }
}

public struct ReceiptPullFailure: Error, Sendable, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
