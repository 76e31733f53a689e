import HeraldCore
import Foundation

/// Small inline SVG charts for the HTML report: horizontal bars and grouped columns, sized
/// in user units so the browser scales them, text escaped, no scripts, nothing fetched.
/// Covers what the report draws and nothing more (no axes beyond a baseline, no legends
/// wider than one line).
enum SVGChart {
    struct Bar {
        var label: String
        var value: Double
        var valueText: String
        var color: String
    }

    struct Series {
        var name: String
        var color: String
        var values: [Double]
    }

    static let palette = ["#2f6fdf", "#f08c00", "#2b9348", "#b5179e", "#6c757d"]

    /// One bar per item, longest = full width; the value is written after each bar.
    static func horizontalBars(_ bars: [Bar], title: String, width: Double = 640) -> String {
        let labelWidth = 150.0, rowHeight = 26.0, valueRoom = 150.0
        let height = Double(bars.count) * rowHeight + 34
        let largest = max(bars.map(\.value).max() ?? 0, 1e-9)
        var svg = open(width: width, height: height, title: title)
        for (index, bar) in bars.enumerated() {
            let y = 28 + Double(index) * rowHeight
            let length = max(bar.value / largest * (width - labelWidth - valueRoom), bar.value > 0 ? 1 : 0)
            svg += text(bar.label, x: labelWidth - 8, y: y + 13, anchor: "end")
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\(quoted(length)) height=\"18\" fill=\"\(bar.color)\" rx=\"2\"/>"
            svg += text(bar.valueText, x: labelWidth + length + 6, y: y + 13, anchor: "start")
        }
        return svg + "</svg>"
    }

    /// Columns per category, one per series side by side, with a legend and a zero baseline.
    static func groupedColumns(categories: [String], series: [Series], title: String, width: Double = 640) -> String {
        let height = 240.0, top = 46.0, bottom = 40.0, left = 44.0
        let plotHeight = height - top - bottom
        let largest = max(series.flatMap(\.values).max() ?? 0, 1)
        let slot = (width - left - 10) / Double(max(categories.count, 1))
        let columnWidth = min(28, slot * 0.8 / Double(max(series.count, 1)))
        var svg = open(width: width, height: height, title: title)
        var legendX = left
        for item in series {
            svg += "<rect x=\(quoted(legendX)) y=\"26\" width=\"10\" height=\"10\" fill=\"\(item.color)\"/>"
            svg += text(item.name, x: legendX + 14, y: 35, anchor: "start")
            legendX += 14 + Double(item.name.count) * 8 + 20
        }
        svg += text(format(largest), x: left - 6, y: top + 4, anchor: "end")
        svg += text("0", x: left - 6, y: top + plotHeight + 4, anchor: "end")
        svg += "<line x1=\(quoted(left)) y1=\(quoted(top + plotHeight)) x2=\(quoted(width - 10)) y2=\(quoted(top + plotHeight)) "
            + "stroke=\"#999\"/>"
        for (index, category) in categories.enumerated() {
            let groupX = left + Double(index) * slot + (slot - columnWidth * Double(series.count)) / 2
            for (seriesIndex, item) in series.enumerated() {
                let value = index < item.values.count ? item.values[index] : 0
                let columnHeight = value / largest * plotHeight
                let x = groupX + Double(seriesIndex) * columnWidth
                svg += "<rect x=\(quoted(x)) y=\(quoted(top + plotHeight - columnHeight)) width=\(quoted(columnWidth - 2)) "
                    + "height=\(quoted(columnHeight)) fill=\"\(item.color)\"><title>\(escape("\(category) \(item.name): \(format(value))"))"
                    + "</title></rect>"
            }
            svg += text(category, x: left + Double(index) * slot + slot / 2, y: top + plotHeight + 16, anchor: "middle")
        }
        return svg + "</svg>"
    }

    private static func open(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(format(width)) \(format(height))\" role=\"img\" "
            + "aria-label=\"\(escape(title))\" class=\"chart\">"
            + "<text x=\"0\" y=\"14\" class=\"chart-title\">\(escape(title))</text>"
    }

    private static func text(_ content: String, x: Double, y: Double, anchor: String) -> String {
        "<text x=\(quoted(x)) y=\(quoted(y)) text-anchor=\"\(anchor)\">\(escape(content))</text>"
    }

    private static func quoted(_ value: Double) -> String { "\"" + format(value) + "\"" }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// Text for HTML and SVG (`HTMLText.escaped`).
    static func escape(_ text: String) -> String { HTMLText.escaped(text) }
}
