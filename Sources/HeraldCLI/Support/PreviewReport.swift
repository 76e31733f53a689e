import Foundation
import HeraldCore
import HeraldStore

/// How `herald preview` shows an evaluation: SPEC 3's JSON object, or a table a marketer
/// reads at a glance — per trigger what was planned and what was suppressed and why, then
/// each message as the member would get it. Addresses are always masked.
struct PreviewReport {
    let evaluation: Evaluation
    let catalog: Catalog
    /// Only this trigger's rows are shown (all triggers are still evaluated, for caps).
    let triggerID: String?

    private var planned: [PlannedSend] { evaluation.planned.filter { triggerID == nil || $0.triggerID == triggerID } }
    private var suppressed: [Suppression] { evaluation.suppressed.filter { triggerID == nil || $0.triggerID == triggerID } }
    private var zone: TimeZone { catalog.config.timeZone }

    /// Segments × the channel's expected price per segment (yuan), a `deliver: "all"` send's
    /// other messages included; nil when none of its channels has a price.
    private func estimatedCost(of send: PlannedSend) -> Double? {
        let messages = [(send.channel, send.segments)] + send.companions.map { ($0.channel, $0.segments) }
        let costs = messages.compactMap { channel, segments in
            catalog.config.channel(named: channel)?.expectedPricePerSegment.map { Double(segments ?? 1) * $0 }
        }
        return costs.isEmpty ? nil : costs.reduce(0, +)
    }

    /// The estimate over every planned send that has one; nil when none has.
    private var totalCost: Double? {
        let costs = planned.compactMap(estimatedCost(of:))
        return costs.isEmpty ? nil : costs.reduce(0, +)
    }

    var json: JSONOutput {
        .object([
            ("at", .string(InstantFormatter.string(from: evaluation.instant, in: zone))),
            ("planned", .array(planned.map { send in
                var members: [(String, JSONOutput)] = [
                    ("trigger", .string(send.triggerID)), ("member", .string(send.memberID)), ("channel", .string(send.channel)),
                    ("scheduled_at", .string(InstantFormatter.string(from: send.scheduledAt, in: send.timeZone))),
                    ("template", .string(send.template)), ("variant", .optional(send.variant)),
                    ("to", .string(send.maskedAddress)), ("text", .string(send.text)),
                    ("segments", send.segments.map { .integer(Int64($0)) } ?? .null),
                    ("link_token", .string(send.linkToken)), ("coupon", .optional(send.coupon?.code)),
                    ("occurrence", .string(send.occurrenceKey)),
                    ("provider_content", send.providerContent.flatMap { try? JSONParser.parse($0, dialect: .json) }
                        .map(JSONOutput.init) ?? .null),
                    ("estimated_cost_yuan", estimatedCost(of: send).map(JSONOutput.number) ?? .null),
                    ("idempotency_key", .string(send.idempotencyKey)),
                ]
                // deliver: "all": the other channels' messages of the same occurrence.
                if !send.companions.isEmpty {
                    members.append(("also", .array(send.companions.map { companion in
                        .object([("channel", .string(companion.channel)),
                                 ("to", .string(AddressMask.masked(companion.address, kind: companion.channelKind))),
                                 ("text", .string(companion.text))])
                    })))
                }
                return JSONOutput.object(members)
            })),
            ("estimated_cost_yuan", totalCost.map(JSONOutput.number) ?? .null),
            ("suppressed", .array(suppressed.map { suppression in
                .object([
                    ("trigger", .string(suppression.triggerID)), ("member", .string(suppression.memberID)),
                    ("reason", .string(suppression.reason.rawValue)),
                ])
            })),
        ])
    }

    var table: String {
        var lines = ["Preview at \(InstantFormatter.string(from: evaluation.instant, in: zone)) — nothing is sent, nothing is written", ""]
        let summaries = evaluation.summaries.filter { triggerID == nil || $0.triggerID == triggerID }
        let header = ["trigger", "candidates", "planned", "suppressed"]
        var rows = summaries.map { summary in
            [
                "\(summary.triggerID) \(summary.name)", String(summary.candidates), String(summary.planned),
                SuppressionReason.allCases.compactMap { reason in summary.suppressed[reason].map { "\(reason.rawValue) \($0)" } }
                    .joined(separator: ", "),
            ]
        }
        rows.insert(header, at: 0)
        lines += TextTable.aligned(rows, rightAligned: [1, 2])
        lines += ["", "Planned (\(planned.count))"]
        for send in planned {
            let when = InstantFormatter.string(from: send.scheduledAt, in: send.timeZone).replacingOccurrences(of: "T", with: " ")
            var facts = ["\(send.channel) \(send.maskedAddress)", "at \(when)"]
            if let variant = send.variant { facts.append("variant \(variant)") }
            if let segments = send.segments { facts.append("\(segments) segment\(segments == 1 ? "" : "s")") }
            if let coupon = send.coupon { facts.append("coupon \(coupon.code)") }
            let nameLimit = TemplateValue.memberTextLimits["member.name"] ?? 20
            let name = send.memberName.map { TemplateValue.clip($0, to: nameLimit) }
            let who = [send.memberID, name].compactMap { $0 }.joined(separator: " ")
            lines.append("  \(send.triggerID) → \(who)  " + facts.joined(separator: " · "))
            if let title = send.title { lines.append("      \(title)") }
            lines.append("      \(send.text.replacingOccurrences(of: "\n", with: "\n      "))")
            lines += ProviderContentLines.lines(send.providerContent).map { "      → " + $0 }
            for companion in send.companions {
                let to = AddressMask.masked(companion.address, kind: companion.channelKind)
                lines.append("    + also \(companion.channel) \(to) (deliver: all)")
                if let title = companion.title { lines.append("      \(title)") }
                lines.append("      \(companion.text.replacingOccurrences(of: "\n", with: "\n      "))")
            }
        }
        if let totalCost {
            let priced = planned.filter { estimatedCost(of: $0) != nil }
            let segments = priced.reduce(0) { $0 + ($1.segments ?? 1) }
            lines.append("  Estimated cost " + String(format: "¥%.2f", totalCost)
                         + ": \(segments) segment\(segments == 1 ? "" : "s") of \(priced.count) send\(priced.count == 1 ? "" : "s")"
                         + " at their channel's price (failover: the first provider's; weighted: the average)")
        }
        lines += ["", "Suppressed (\(suppressed.count))"]
        lines += TextTable.aligned(suppressed.map { ["  \($0.triggerID)", $0.memberID, $0.reason.rawValue, $0.detail] }, rightAligned: [])
        return lines.joined(separator: "\n")
    }
}
