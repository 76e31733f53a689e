import Foundation
import HeraldCore

/// `herald report --format html`: one self-contained page — styles inline, charts as inline
/// SVG, no scripts, fonts or images fetched — so it can be mailed or opened offline. Shows
/// the funnel, treatment against holdout per trigger, daily reached / clicked / redeemed per
/// trigger, then the same table as the text report.
struct CampaignReportPage {
    let view: CampaignReportView
    /// The same selection per trigger and day, for the daily charts.
    let daily: [CampaignReportRow]

    var html: String {
        var body = "<h1>Herald campaign report</h1>"
        body += "<p class=\"period\">\(SVGChart.escape(view.periodText)) · days on each member's clock · rows by "
            + "\(SVGChart.escape(view.grouping.rawValue))</p>"
        body += section("Funnel", funnel)
        body += section("Treatment vs holdout", holdout)
        body += section("Daily reached, clicked and redeemed", dailyCharts)
        body += section("Campaign sheet", table)
        return """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>Herald campaign report · \(SVGChart.escape(view.periodText))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            \(body)
            </body>
            </html>
            """
    }

    static let style = """
        body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;margin:24px;color:#222;\
        max-width:1280px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.period{color:#666;margin:0}\
        .charts{display:flex;flex-wrap:wrap;gap:16px}.charts .chart{max-width:400px}.chart{width:100%;max-width:640px;height:auto;font-size:12px}\
        .chart-title{font-weight:600;font-size:13px}.note{color:#666;font-size:12px}\
        table{border-collapse:collapse;font-size:12px}th,td{border-bottom:1px solid #ddd;padding:4px 8px;white-space:nowrap}\
        th{background:#f3f5f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
        """

    private func section(_ title: String, _ content: String) -> String {
        "<section><h2>\(SVGChart.escape(title))</h2>\(content)</section>"
    }

    private var funnel: String {
        let total = { (value: (CampaignReportRow) -> Int) in Double(view.rows.map(value).reduce(0, +)) }
        let planned = total(\.planned)
        let steps: [(String, Double)] = [("planned", planned), ("sent", total(\.sent)), ("reached", total(\.reached)),
                                         ("clicked", total(\.clicked)), ("redeemed", total(\.redeemed))]
        let bars = steps.enumerated().map { index, step in
            let share = planned > 0 ? String(format: " (%.1f%%)", step.1 / planned * 100) : ""
            return SVGChart.Bar(label: step.0, value: step.1, valueText: SVGChart.format(step.1) + share,
                                color: SVGChart.palette[index < 2 ? 0 : 2])
        }
        return SVGChart.horizontalBars(bars, title: "All selected triggers: sends (planned, sent) and members (reached, clicked, redeemed)")
            + "<p class=\"note\">Shares are of planned sends.</p>"
    }

    private var holdout: String {
        let compared = view.rows.filter { $0.lift.control.trials > 0 }
        guard !compared.isEmpty else {
            return "<p class=\"note\">No held-out members in this period: set <code>holdout</code> on a trigger to measure lift.</p>"
        }
        var bars: [SVGChart.Bar] = []
        for row in compared {
            let label = row.triggerID + (row.group.map { " " + $0 } ?? "")
            for (name, group, color) in [("treated", row.lift.treated, SVGChart.palette[0]),
                                         ("control", row.lift.control, SVGChart.palette[4])] {
                bars.append(SVGChart.Bar(label: "\(label) · \(name)", value: group.rate ?? 0,
                                         valueText: CampaignReportView.percent(group.rate) + " of \(group.trials)", color: color))
            }
        }
        let lifts = compared.map { row in
            "<li>\(SVGChart.escape(row.triggerID + (row.group.map { " " + $0 } ?? ""))): "
                + "\(SVGChart.escape(CampaignReportView.liftText(row.lift)))</li>"
        }.joined()
        return SVGChart.horizontalBars(bars, title: "Purchased within the attribution window", width: 760)
            + "<ul class=\"note\">\(lifts)</ul><p class=\"note\">Lift in percentage points, \(CampaignReportView.method). "
            + "An interval that spans 0 does not show an effect yet.</p>"
    }

    private var dailyCharts: String {
        let triggers = CampaignReportView.triggerIDs(of: daily)
        guard !triggers.isEmpty else { return "<p class=\"note\">No sends in this period.</p>" }
        let charts = triggers.map { trigger -> String in
            let rows = daily.filter { $0.triggerID == trigger && $0.planned > 0 }
            let title = trigger + (view.names[trigger].map { " · " + $0 } ?? "")
            return SVGChart.groupedColumns(
                categories: rows.map { String(($0.group ?? "").suffix(5)) },
                series: [SVGChart.Series(name: "reached", color: SVGChart.palette[0], values: rows.map { Double($0.reached) }),
                         SVGChart.Series(name: "clicked", color: SVGChart.palette[1], values: rows.map { Double($0.clicked) }),
                         SVGChart.Series(name: "redeemed", color: SVGChart.palette[2], values: rows.map { Double($0.redeemed) })],
                title: title, width: 420)
        }
        return "<div class=\"charts\">" + charts.joined() + "</div>"
    }

    private var table: String {
        let header = view.localizedHeader
        let firstNumeric = view.groupTitle == nil ? 1 : 2
        var html = "<table><thead><tr>" + header.map { "<th>\(SVGChart.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in view.rows {
            let cells = view.tableCells(row).enumerated().map { index, cell in
                index >= firstNumeric ? "<td class=\"n\">\(SVGChart.escape(cell))</td>" : "<td>\(SVGChart.escape(cell))</td>"
            }
            html += "<tr>" + cells.joined() + "</tr>"
        }
        html += "</tbody></table>"
        if view.rows.isEmpty { html += "<p class=\"note\">No sends, held-out or suppressed members in this period.</p>" }
        let reasons = view.suppressionLines
        if !reasons.isEmpty {
            html += "<p class=\"note\">\(view.suppressedHeading): " + reasons.map(SVGChart.escape).joined(separator: "; ") + "</p>"
        }
        return html + view.footnotes.map { "<p class=\"note\">\(SVGChart.escape($0))</p>" }.joined()
    }
}
