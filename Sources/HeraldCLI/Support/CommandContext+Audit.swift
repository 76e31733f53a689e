import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// The store the config names, who acts, and the record of what they did (`herald audit`).
extension CommandContext {
    /// The config and its store.
    func openStore(_ access: StoreFactory.Access = .readWrite) throws -> (HeraldConfig, any MemberStore) {
        let config = try loadConfig()
        return (config, try StoreFactory.open(config, access: access))
    }

}

extension CommandContext {
    /// Records what an operator's command did in the store's audit log (`herald audit`):
    /// `detail` names counts and ids, never an address.
    func audit(_ store: any MemberStore, _ action: String, _ detail: String) throws {
        do {
            try store.appendAudit(actor: actor, action: action, detail: detail, at: clock.now())
        } catch {
            throw AuditFailure(description: "done, but not recorded in the audit log: \(error)")
        }
    }

    struct AuditFailure: Error, CustomStringConvertible {
        var description: String
    }
}
