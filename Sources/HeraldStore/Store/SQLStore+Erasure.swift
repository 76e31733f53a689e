import Foundation
import HeraldCore
import HeraldCrypto

/// `herald members forget`: a member's identifiers erased, their anonymous traces kept.
extension SQLStore {
    public func forgetMember(id: String, suppress: Bool, at: Date) throws -> ErasureReceipt? {
        var receipt = ErasureReceipt(memberIDHash: Digest.sha256(id).hexString)
        // Random, not derived from the id: nobody who knows the id can find the row again.
        let erasedID = "erased:" + UUID().uuidString.lowercased()
        if dialect == .sqlite {
            // Deleted and overwritten content is zeroed in the file, not left in free space.
            try database.execute("PRAGMA secure_delete = ON")
        }
        let found: Bool = try database.withTransaction {
            let member = try database.prepare("SELECT key, \(AddressColumn.addressList(of: "members")) FROM members WHERE id = ?")
            try member.bind([.text(id)])
            guard try member.step(), let key = member.integer(at: 0) else { return false }
            let addresses = try AddressColumn.all.enumerated().compactMap { index, column in
                try opened(member.text(at: Int32(index + 1))).map { SuppressibleAddress(kind: column.kind, address: $0) }
            }
            member.reset()
            if suppress, !addresses.isEmpty {
                receipt.suppressedAddresses = try self.suppress(addresses, reason: "the member was erased (members forget)",
                                                                at: at)
            }
            let now = SQLValue.integer(at.epochSeconds)
            let memberKey = SQLValue.integer(key)
            receipt.cancelledSends = try database.prepare("""
                UPDATE outbox SET status = 'cancelled', last_error = 'cancelled: the member was erased', updated_at = ?
                WHERE member_key = ? AND status = 'pending'
                """).run(now, memberKey)
            receipt.sendingMessages = Int(try database.scalarInteger(
                "SELECT count(*) FROM outbox WHERE member_key = ? AND status = 'sending'", memberKey) ?? 0)
            // Receipts name the send by the provider's id; their payload holds the provider's words.
            receipt.clearedEvents = try database.prepare("""
                UPDATE events SET payload = '{}'
                WHERE member_key IS NULL AND type IN ('delivered', 'undelivered') AND payload <> '{}'
                    AND reference IN (SELECT provider_id FROM outbox WHERE member_key = ? AND provider_id IS NOT NULL)
                """).run(memberKey)
            receipt.clearedMessages = try clearMessages(where: "member_key = ?", memberKey)
            receipt.clearedEvents += try database.prepare("""
                UPDATE events SET id = 'erased:' || CAST(key AS TEXT), payload = '{}', sku = NULL, category = NULL
                WHERE member_key = ? AND substr(id, 1, 7) <> 'erased:'
                """).run(memberKey)
            // An entry from before (an opt-out reply, a provider's report) stays — erasure must not
            // undo a "do not contact" — but no longer points at the member's messages.
            try database.prepare("""
                UPDATE address_suppressions SET outbox_key = NULL
                WHERE outbox_key IN (SELECT key FROM outbox WHERE member_key = ?)
                """).run(memberKey)
            try database.prepare("DELETE FROM member_tags WHERE member_key = ?").run(memberKey)
            try database.prepare("""
                UPDATE members SET id = ?, name = NULL, phone = NULL, email = NULL, push_token = NULL, wechat_openid = NULL,
                    birth_year = NULL, birth_month = NULL, birth_day = NULL, region = NULL, registration_channel = NULL,
                    tags = NULL, consent_sms = 'no', consent_push = 'no', consent_email = 'no', consent_wechat = 'no'
                WHERE key = ?
                """).run(.text(erasedID), memberKey)
            return true
        }
        return found ? receipt : nil
    }

    /// Clears the address and every rendering of the matching messages (not those being sent).
    private func clearMessages(where condition: String, _ values: SQLValue...) throws -> Int {
        try database.prepare("""
            UPDATE outbox SET address = '', body = '', title = NULL, html = NULL, provider_content = NULL,
                link_targets = NULL, coupon_title = NULL, fallbacks = NULL
            WHERE \(condition) AND status <> 'sending' AND (address <> '' OR body <> '' OR fallbacks IS NOT NULL)
            """).run(values)
    }

    public func clearMessagesOfErasedMembers() throws -> Int {
        try database.withTransaction {
            try clearMessages(where: "member_key IN (SELECT key FROM members WHERE substr(id, 1, 7) = 'erased:')")
        }
    }

    public func purgeErasedData() throws -> Bool {
        guard dialect == .sqlite else { return true }
        let busy = try database.scalarInteger("PRAGMA wal_checkpoint(TRUNCATE)")
        return busy == 0
    }
}
