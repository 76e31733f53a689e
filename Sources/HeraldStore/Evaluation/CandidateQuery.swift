import Foundation
import HeraldCore

/// SPEC 2's condition for one trigger at instant T, as one SQL query over the store's
/// indexes (listed in docs/store.md), plus the little the index cannot say (a birthday on
/// the member's own local date; custom activity events), checked per row in Swift.
///
/// Derived state (last activity, balance, points remaining) is the state after every
/// ingested event; carts and events are read as of T.
///
/// The SQL side of `MemberStore.forEachCandidate`, for either backend (`dialect`); public to
/// the benchmark only (its baseline runs exactly this SQL in the `sqlite3` or `psql` shell).
@_spi(StoreSQL) public struct CandidateQuery {
    public let request: CandidateRequest
    let context: CandidateQueryContext
    /// The audience's behavioural measures: their columns here, their values read per row.
    let behaviour: BehaviourColumns
    public let sql: String
    public let parameters: [SQLValue]

    public var trigger: Trigger { request.trigger }

    public init(_ request: CandidateRequest, dialect: SQLDialect) {
        self.request = request
        let trigger = request.trigger, memberID = request.memberID
        let context = CandidateQueryContext(instant: request.instant, defaultTimeZone: request.defaultTimeZone,
                                            dialect: dialect)
        self.context = context
        let parts = trigger.kind.candidateSource.queryParts(context)
        var columns = [MemberRow.columns]
        var parameters: [SQLValue] = []
        if request.withPointsBalance {
            // Saturating: one member's absurd lots must not fail the query for everyone.
            columns.append("(SELECT \(dialect.saturatingSum("p.remaining")) FROM points_lots p "
                + "WHERE p.member_key = m.key AND p.expires_at > ?) AS points_balance")
            parameters.append(.integer(context.instantSeconds))
        }
        // Kinds whose address a provider reported as never reachable (SPEC 7): a probe of the
        // suppression list's key per address.
        if request.withSuppressedAddresses {
            columns.append("(SELECT \(dialect.commaList("a.kind")) FROM address_suppressions a "
                + "WHERE a.address IN (\(AddressColumn.addressList(of: "m")))) AS suppressed_kinds")
        }
        behaviour = BehaviourColumns(measures: request.measures, rfm: request.rfm)
        let measured = behaviour.columns(context)
        columns += measured.columns
        parameters += measured.parameters
        columns += parts.columns
        parameters += parts.columnParameters + parts.fromParameters
        var conditions = parts.conditions
        parameters += parts.conditionParameters
        if request.excludingRecordedOccurrences, let key = parts.occurrenceKey {
            // The occurrences primary key (trigger_id, member_key, occurrence_key) answers each probe.
            conditions.append("NOT EXISTS (SELECT 1 FROM occurrences o WHERE o.trigger_id = ? "
                + "AND o.member_key = \(parts.memberKey) AND o.occurrence_key = \(key))")
            parameters += [.text(trigger.id)] + parts.occurrenceKeyParameters
            // Suppressed before and still without a consented address: rule 3 (or an earlier one)
            // suppresses them again, so only the recorded reason could change — not worth a read.
            conditions.append("(NOT EXISTS (SELECT 1 FROM suppressions z WHERE z.trigger_id = ? "
                + "AND z.member_key = \(parts.memberKey) AND z.occurrence_key = \(key)) "
                + "OR \(Self.reachable(request.channelKinds, trigger.category, dialect)))")
            parameters += [.text(trigger.id)] + parts.occurrenceKeyParameters
        }
        if let memberID {
            conditions.append("m.id = ?")
            parameters.append(.text(memberID))
        }
        let condition = conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND ")
        sql = "SELECT \(columns.joined(separator: ", ")) FROM \(parts.from) WHERE \(condition) ORDER BY \(parts.order)"
        self.parameters = parameters
    }

    /// SPEC 2.1 rule 3 in SQL: some channel kind has an address and the consent `category`
    /// needs. Addresses on the suppression list count as reachable here (the policy decides),
    /// and so does everyone when no kinds are given: leaving out is only ever on the safe side.
    static func reachable(_ kinds: [ChannelKind], _ category: Trigger.Category, _ dialect: SQLDialect) -> String {
        let tests = kinds.map { kind in
            let (address, consent) = switch kind {
            case .sms: ("m.phone IS NOT NULL", "m.consent_sms")
            case .push: ("m.push_token <> ''", "m.consent_push")
            case .email: ("m.email <> ''", "m.consent_email")
            case .wechat: ("m.wechat_openid <> ''", "m.consent_wechat")
            }
            let consented = category == .marketing ? "\(consent) = 'yes'" : dialect.isDistinct(consent, "'no'")
            return "(\(address) AND \(consented))"
        }
        return tests.isEmpty ? "TRUE" : "(" + tests.joined(separator: " OR ") + ")"
    }

    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    /// The query with its parameters written in as literals, for the `sqlite3` or `psql` shell
    /// (the benchmark's baseline runs exactly what Herald runs).
    public var literalSQL: String {
        var output = ""
        var values = parameters.makeIterator()
        for character in sql {
            guard character == "?", let value = values.next() else {
                output.append(character)
                continue
            }
            switch value {
            case .null: output += "NULL"
            case .integer(let integer): output += String(integer)
            case .real(let real): output += String(real)
            case .text(let text): output += "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
            }
        }
        return output
    }
}
