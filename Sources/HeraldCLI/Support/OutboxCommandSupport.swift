import Foundation
import HeraldCore
import HeraldStore

/// What the outbox commands share: the store from the config and a row id.
enum OutboxCommandSupport {
    static func open(_ context: CommandContext) throws -> (HeraldConfig, any OutboxQueue) {
        let (config, _, queue) = try openWithStore(context)
        return (config, queue)
    }

    /// As `open`, with the store itself (for the audit log of the commands that change rows).
    static func openWithStore(_ context: CommandContext) throws -> (HeraldConfig, any MemberStore, any OutboxQueue) {
        let (config, store) = try context.openStore()
        return (config, store, try store.makeOutboxQueue(owner: LeaseOwner.makeName()))
    }

    static func rowID(_ text: String) throws -> Int64 {
        guard let key = Int64(text), key > 0 else {
            throw ParsedArguments.UsageError(description: "expected an outbox row id (a whole number), found '\(text)'")
        }
        return key
    }

    /// Why a command about one row changed nothing: no such row (2, as every "not found"),
    /// or a row in a state the command leaves alone (1, with `wanted` saying which it takes).
    static func explainUntouched(_ key: Int64, in queue: any OutboxQueue, wanted: String,
                                 console: Console) throws -> ExitCode {
        guard let status = try queue.entry(key: key)?.entry.status else {
            console.printError("herald: no outbox row \(key)")
            return .failure
        }
        console.printError("herald: row \(key) is \(status); \(wanted)")
        return .rowsRejected
    }
}
