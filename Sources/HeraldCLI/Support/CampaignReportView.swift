import Foundation
import HeraldCore

/// `herald report` as a table for people, CSV for spreadsheets and JSON for programs: the
/// same rows and the same numbers in each. Rates are nil (shown "—", empty, null) when
/// their denominator is zero: an empty period reads as zeros, never as an error.
struct CampaignReportView {
    let rows: [CampaignReportRow]
    let grouping: ReportGrouping
    let period: ReportPeriod
    /// Trigger names by id (triggers no longer in the catalog show their id only).
    let names: [String: String]
    /// Chinese headers and trigger display names (the config's locale is zh-*); CSV and JSON
    /// keep their English keys, which programs read.
    var chinese = false

    /// Every reason a member got nothing (duplicates are no loss; the held out are the control group).
    static let lostReasons = SuppressionReason.allCases.filter { $0 != .duplicate && $0 != .holdout }
    static let method = "Newcombe hybrid score interval (Wilson), 95 %"

    var groupTitle: String? {
        switch grouping {
        case .trigger: nil
        case .day: "day"
        case .channel: "channel"
        case .variant: "variant"
        }
    }

    var periodText: String {
        switch (period.since, period.until) {
        case (nil, nil): chinese ? "全部日期" : "all days"
        case (let since?, nil): chinese ? "\(since) 起" : "from \(since)"
        case (nil, let until?): chinese ? "截至 \(until)" : "up to \(until)"
        case (let since?, let until?): since == until ? "\(since)" : chinese ? "\(since) 至 \(until)" : "\(since) to \(until)"
        }
    }

    // MARK: Table

    /// The table's columns, shared by the text table and the HTML page.
    var tableHeader: [String] {
        var header = ["TRIGGER"]
        if let groupTitle { header.append(groupTitle.uppercased()) }
        return header + ["PLANNED", "HELD OUT", "SUPPRESSED", "SENT", "DELIVERED", "FAILED", "REACHED", "CLICKED", "CTR",
                         "REDEEMED", "CONV.", "COST", "¥/REDEEM"] + (hasGoals ? ["GOAL", "GOAL %", "REVENUE", "¥/SEND", "ROI"] : [])
            + ["PURCHASED", "CONTROL", "LIFT (95% CI)"]
    }

    /// Whether some row's trigger has a goal: only then does the table show the goal columns.
    var hasGoals: Bool { rows.contains { $0.goalConverted != nil } }

    func tableCells(_ row: CampaignReportRow) -> [String] {
        var cells = [triggerLabel(row.triggerID)]
        if groupTitle != nil { cells.append(row.group ?? "—") }
        return cells + [
            String(row.planned), row.heldOut.map(String.init) ?? "—", row.suppressedTotal.map(String.init) ?? "—",
            String(row.sent), String(row.delivered), String(row.failed), String(row.reached), String(row.clicked),
            Self.percent(row.clickThroughRate), String(row.redeemed), Self.percent(row.conversionRate),
            Self.yuan(row.cost), Self.yuan(row.costPerRedeem),
        ] + (hasGoals ? [row.goalConverted.map(String.init) ?? "—", Self.percent(row.goalConversionRate), Self.yuan(row.revenue),
                         Self.yuan(row.revenuePerSend), Self.percent(row.returnOnCost)] : [])
            + [Self.percent(row.lift.treated.rate), Self.percent(row.lift.control.rate), Self.liftText(row.lift)]
    }

    /// The headers in Chinese, for a zh-CN config (same columns, same order).
    static let chineseHeaders: [String: String] = [
        "TRIGGER": "活动", "DAY": "日期", "CHANNEL": "渠道", "VARIANT": "版本", "PLANNED": "计划", "HELD OUT": "对照组",
        "SUPPRESSED": "未发送", "SENT": "已发送", "DELIVERED": "送达", "FAILED": "失败", "REACHED": "触达", "CLICKED": "点击",
        "CTR": "点击率", "REDEEMED": "核销", "CONV.": "转化率", "COST": "成本", "¥/REDEEM": "¥/核销", "GOAL": "目标达成",
        "GOAL %": "目标转化率", "REVENUE": "收入", "¥/SEND": "¥/条", "ROI": "ROI", "PURCHASED": "购买率",
        "CONTROL": "对照购买率", "LIFT (95% CI)": "提升 (95% 置信区间)",
    ]

    /// What the first column shows: the trigger's display name in Chinese reports, else its id.
    func triggerLabel(_ id: String) -> String {
        guard chinese, let name = names[id], name != id else { return id }
        return name
    }

    var localizedHeader: [String] { chinese ? tableHeader.map { Self.chineseHeaders[$0] ?? $0 } : tableHeader }

    var title: String {
        chinese ? "活动报表，\(periodText)（按会员本地时间计日）" : "Campaign report, \(periodText) (days on each member's clock)"
    }

    var table: String {
        let header = localizedHeader
        let body = rows.map(tableCells)
        let numeric = Set((groupTitle == nil ? 1 : 2)..<(header.count - 1))
        var lines = [title, ""]
        lines += TextTable.aligned([header] + body, rightAligned: numeric)
        if rows.isEmpty { lines.append("(no sends, held-out or suppressed members in this period)") }
        let reasons = suppressionLines
        if !reasons.isEmpty { lines += ["", suppressedHeading + ":"] + reasons.map { "  " + $0 } }
        return (lines + [""] + footnotes).joined(separator: "\n")
    }

    var suppressedHeading: String { chinese ? "未发送原因" : "Suppressed by reason" }

    /// "trigger day: cap 3, no_consent 2" for each row with suppressions.
    var suppressionLines: [String] {
        rows.compactMap { row in
            guard let suppressed = row.suppressed, !suppressed.isEmpty else { return nil }
            let parts = Self.lostReasons.compactMap { reason in suppressed[reason].map { "\(reason.rawValue) \($0)" } }
            return "\(triggerLabel(row.triggerID))\(row.group.map { " \($0)" } ?? ""): " + parts.joined(separator: ", ")
        }
    }

    /// What the columns mean, and which trigger is which.
    var footnotes: [String] {
        if chinese { return chineseFootnotes }
        var notes = ["CTR = clicked / reached; CONV. = redeemed / reached. COST = segments × price_per_segment of the "
                     + "provider that accepted each send; ¥/REDEEM = COST / REDEEMED. PURCHASED and CONTROL: members who bought within "
                     + "the attribution window, among all planned (intent to treat) and held-out members; LIFT = their "
                     + "difference in percentage points, \(Self.method)."]
        if hasGoals {
            notes.append("GOAL = members reached who then met the trigger's goal within its window; GOAL % = GOAL / reached; "
                         + "REVENUE = the goal events' amounts (each once); ¥/SEND = REVENUE / SENT; ROI = (REVENUE − COST) / COST. "
                         + "For a trigger with a goal, PURCHASED, CONTROL and LIFT measure the goal instead of any purchase.")
        }
        let named = Self.triggerIDs(of: rows).compactMap { id in names[id].map { "\(id) = \($0)" } }
        if !named.isEmpty { notes.append("Triggers: " + named.joined(separator: "; ")) }
        return notes
    }

    /// The same notes for a Chinese report.
    private var chineseFootnotes: [String] {
        var notes = ["点击率 = 点击 / 触达；转化率 = 核销 / 触达。成本 = 每条被接收短信的条数 × 接收它的服务商的 price_per_segment；"
                     + "¥/核销 = 成本 / 核销。购买率与对照购买率：在归因窗口内购买的会员，分别占全部计划发送会员（意向处理）与对照组会员的比例；"
                     + "提升 = 两者之差（百分点），\(Self.method)。"]
        if hasGoals {
            notes.append("目标达成 = 触达后在目标窗口内完成活动目标的会员；目标转化率 = 目标达成 / 触达；收入 = 目标事件金额之和（每个事件计一次）；"
                         + "¥/条 = 收入 / 已发送；ROI = (收入 − 成本) / 成本。设有目标的活动，购买率、对照购买率与提升按目标计算。")
        }
        let named = Self.triggerIDs(of: rows).compactMap { id in names[id].map { "\($0) = \(id)" } }
        if !named.isEmpty { notes.append("活动：" + named.joined(separator: "；")) }
        return notes
    }

    /// Each trigger once, in row order.
    static func triggerIDs(of rows: [CampaignReportRow]) -> [String] {
        var seen: Set<String> = []
        return rows.map(\.triggerID).filter { seen.insert($0).inserted }
    }

    /// "¥12.35"; "—" when unknown (no provider with a price accepted a send).
    static func yuan(_ amount: Double?) -> String {
        guard let amount else { return "—" }
        return String(format: "¥%.2f", amount)
    }

    static func percent(_ rate: Double?) -> String {
        guard let rate else { return "—" }
        return String(format: "%.1f%%", rate * 100)
    }

    /// "+4.2 pt (−1.0 … +9.4)": percentage points, with the interval.
    static func liftText(_ lift: ProportionDifference) -> String {
        guard let absolute = lift.absolute, let interval = lift.interval95 else { return "—" }
        return points(absolute) + " pt (" + points(interval.lowerBound) + " … " + points(interval.upperBound) + ")"
    }

    static func points(_ value: Double) -> String {
        let text = String(format: "%+.1f", value * 100)
        return text == "-0.0" ? "+0.0" : text
    }

    // MARK: CSV

    static let csvColumns = ["trigger", "trigger_name", "group", "planned", "held_out", "suppressed"]
        + lostReasons.map { "suppressed_\($0.rawValue)" }
        + ["sent", "delivered", "failed", "pending", "expired", "cancelled", "reached", "clicked", "ctr", "redeemed",
           "conversion_rate", "treated_members", "treated_purchasers", "treated_purchase_rate", "control_members",
           "control_purchasers", "control_purchase_rate", "lift", "lift_ci95_low", "lift_ci95_high", "relative_lift",
           "cost_yuan", "cost_per_redeem_yuan", "goal_converted", "goal_conversion_rate", "revenue_yuan",
           "revenue_per_send_yuan", "roi"]

    var csv: String {
        var lines = [Self.csvColumns.joined(separator: ",")]
        for row in rows {
            let fields = values(row).map { value -> String in
                switch value {
                case .null: ""
                case .integer(let integer): String(integer)
                case .number(let number): String(format: "%.6f", number)
                case .string(let text): Self.csvField(text)
                default: ""
                }
            }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One row's values in `csvColumns` order: the CSV and JSON say the same thing.
    private func values(_ row: CampaignReportRow) -> [JSONOutput] {
        let count = { (value: Int?) in value.map { JSONOutput.integer(Int64($0)) } ?? .null }
        let rate = { (value: Double?) in value.map(JSONOutput.number) ?? .null }
        return [.string(row.triggerID), .optional(names[row.triggerID]), .optional(row.group), count(row.planned),
                count(row.heldOut), count(row.suppressedTotal)]
            + Self.lostReasons.map { reason in count(row.suppressed.map { $0[reason] ?? 0 }) }
            + [count(row.sent), count(row.delivered), count(row.failed), count(row.pending), count(row.expired),
               count(row.cancelled), count(row.reached), count(row.clicked), rate(row.clickThroughRate), count(row.redeemed),
               rate(row.conversionRate), count(row.lift.treated.trials), count(row.lift.treated.successes),
               rate(row.lift.treated.rate), count(row.lift.control.trials), count(row.lift.control.successes),
               rate(row.lift.control.rate), rate(row.lift.absolute), rate(row.lift.interval95?.lowerBound),
               rate(row.lift.interval95?.upperBound), rate(row.lift.relative), rate(row.cost), rate(row.costPerRedeem),
               count(row.goalConverted), rate(row.goalConversionRate), rate(row.revenue), rate(row.revenuePerSend),
               rate(row.returnOnCost)]
    }

    // MARK: JSON

    var json: JSONOutput {
        .object([
            ("period", .object([("since", .optional(period.since?.description)), ("until", .optional(period.until?.description))])),
            ("by", .string(grouping.rawValue)),
            ("lift_interval", .string(Self.method)),
            ("rows", .array(rows.map { row in
                var members = Array(zip(Self.csvColumns, values(row)))
                members.removeAll { $0.0.hasPrefix("suppressed_") }
                members[2].0 = groupTitle ?? "group"
                let reasons = row.suppressed.map { suppressed in
                    JSONOutput.object(Self.lostReasons.map { ($0.rawValue, .integer(Int64(suppressed[$0] ?? 0))) })
                }
                members.insert(("suppressed_by_reason", reasons ?? .null), at: 6)
                return .object(members)
            })),
        ])
    }
}
