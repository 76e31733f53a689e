import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore

/// `herald run --metrics-file PATH`: the worker's numbers in Prometheus's text exposition
/// format, for node_exporter's textfile collector (name the file `*.prom` in its directory).
///
/// Written whole to a temporary file beside PATH and renamed over it, so the collector never
/// reads half a file. Counters count since the worker started (Prometheus handles restarts);
/// outbox rows and the oldest due age are read from the store when the file is written.
public struct MetricsTextfile: Sendable {
    /// Everything one file shows.
    public struct Snapshot: Sendable {
        public var report: WorkerService.Report
        public var channelTotals: [String: Dispatcher.Totals]
        public var latencies: [String: LatencyHistogram]
        public var oldestDue: [String: Date]
        public var channels: [String]
        public var now: Date
        /// Every provider call's classified answer, by provider (`Dispatcher.providerResults`).
        public var providerResults: [String: [String: Int]] = [:]
        /// Each channel's providers and their circuits (`Dispatcher.circuitStates`).
        public var circuits: [String: [(provider: String, state: CircuitBreaker.State)]] = [:]
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func write(_ snapshot: Snapshot) throws {
        try write(Self.render(snapshot))
    }

    /// Writes text already rendered (`render`).
    func write(_ text: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        // 0640: the owner writes, a monitoring group (node_exporter's) may read; others not.
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o640]) else {
            let reason = String(cString: strerror(errno))
            throw MetricsFileError(description: "\(path): cannot write \(temporary): \(reason)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw MetricsFileError(description: "\(path): cannot replace the metrics file: \(reason)")
        }
    }

    public static func render(_ snapshot: Snapshot) -> String {
        renderEvaluation(snapshot.report) + renderDelivery(snapshot)
    }

    /// One metric family: its HELP and TYPE lines, then its samples.
    static func family(_ name: String, _ type: String, _ help: String,
                       _ samples: [(labels: String, value: String)]) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            + samples.map { name + $0.labels + " " + $0.value + "\n" }.joined()
    }

    /// Evaluations, per-trigger figures, planned, held out and suppressed.
    private static func renderEvaluation(_ report: WorkerService.Report) -> String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += Self.family(name, type, help, samples)
        }
        family("herald_evaluations_total", "counter", "Trigger evaluations since the worker started.",
               [("", "\(report.evaluations)")])
        family("herald_evaluation_duration_seconds", "summary", "Time spent evaluating every trigger once.", [])
        text += "herald_evaluation_duration_seconds_sum \(number(report.evaluationSeconds))\n"
        text += "herald_evaluation_duration_seconds_count \(report.evaluations)\n"
        family("herald_last_evaluation_duration_seconds", "gauge", "Duration of the latest evaluation.",
               [("", number(report.lastEvaluationSeconds))])
        family("herald_trigger_candidates", "gauge",
               "Candidates the latest evaluation read per trigger (occurrences already decided are left out).",
               report.lastTriggers.map { (label(["trigger": $0.triggerID]), "\($0.candidates)") })
        family("herald_trigger_evaluation_seconds", "gauge", "Time the latest evaluation spent on each trigger.",
               report.lastTriggers.map { (label(["trigger": $0.triggerID]), number($0.seconds)) })
        family("herald_planned_total", "counter", "Sends planned (occurrences; a deliver: all send once, whatever its channels).", [("", "\(report.planned)")])
        family("herald_held_out_total", "counter", "Members held out as a control group.", [("", "\(report.heldOut)")])
        family("herald_suppressed_total", "counter", "Occurrences suppressed for the first time, by reason.",
               [SuppressionReason.audience, .noChannel, .noConsent, .cap, .invalidData, .tooLong, .addressSuppressed].map {
                   (label(["reason": $0.rawValue]), "\(report.newlySuppressed[$0] ?? 0)")
               })
        return text
    }

    /// Deliveries, providers, leases, the outbox and call latencies, and the file's own stamp.
    private static func renderDelivery(_ snapshot: Snapshot) -> String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += Self.family(name, type, help, samples)
        }
        let report = snapshot.report
        let channels = snapshot.channels.sorted()
        let outcomes: [(String, KeyPath<Dispatcher.Totals, Int>)] = [
            ("sent", \.sent), ("retry", \.retried), ("throttled", \.throttled), ("failed", \.failed),
            ("fallback", \.fellBack), ("cancelled", \.cancelled), ("expired", \.expired),
            ("rescheduled", \.rescheduled), ("released", \.released),
        ]
        family("herald_deliveries_total", "counter",
               "Delivery outcomes by channel (retry = a retry scheduled; throttled = deferred by a 429, "
                   + "no attempt spent).",
               channels.flatMap { channel in
                   outcomes.map { outcome, path in
                       (label(["channel": channel, "outcome": outcome]), "\(snapshot.channelTotals[channel]?[keyPath: path] ?? 0)")
                   }
               })
        let answers = ["accepted", "transient", "throttled", "permanent", "misconfigured", "recipient_permanent",
                       "recipient_throttled", "cancelled"]
        family("herald_provider_calls_total", "counter",
               "Provider calls by provider and classified answer (failover calls the next provider with the same key).",
               snapshot.providerResults.keys.sorted().flatMap { provider in
                   answers.map { answer in
                       (label(["provider": provider, "result": answer]),
                        "\(snapshot.providerResults[provider]?[answer] ?? 0)")
                   }
               })
        family("herald_provider_circuit_state", "gauge",
               "A provider's circuit by channel: 0 closed, 1 half-open (one call probes it), 2 open (skipped).",
               snapshot.circuits.keys.sorted().flatMap { channel in
                   (snapshot.circuits[channel] ?? []).map { provider, state in
                       let value = switch state {
                       case .closed: "0"
                       case .halfOpen: "1"
                       case .open: "2"
                       }
                       return (label(["channel": channel, "provider": provider]), value)
                   }
               })
        family("herald_recovered_leases_total", "counter",
               "Rows of a stopped worker whose call had started, returned to the queue with an attempt charged.",
               [("", "\(report.delivery.recoveredLeases)")])
        family("herald_returned_leases_total", "counter",
               "Rows a stopped worker had claimed but never called, returned to the queue uncharged.",
               [("", "\(report.delivery.returnedLeases)")])
        family("herald_coupons_issued_total", "counter",
               "Coupons the offers' coupon systems issued before their messages (offer.issuer).",
               [("", "\(report.delivery.couponsIssued)")])
        family("herald_outbox_rows", "gauge", "Outbox rows by status.",
               OutboxStatus.allCases.map { (label(["status": $0.rawValue]), "\(report.depth[$0.rawValue] ?? 0)") })
        family("herald_outbox_oldest_due_age_seconds", "gauge", "How long the longest-waiting due row has waited, by channel.",
               channels.map { channel in
                   (label(["channel": channel]),
                    number(snapshot.oldestDue[channel].map { max(0, snapshot.now.timeIntervalSince($0)) } ?? 0))
               })
        family("herald_delivery_latency_seconds", "histogram", "Gateway call latency by channel.", [])
        for channel in channels {
            let histogram = snapshot.latencies[channel] ?? LatencyHistogram()
            for (bound, count) in zip(LatencyHistogram.bounds, histogram.cumulative) {
                text += "herald_delivery_latency_seconds_bucket\(label(["channel": channel, "le": number(bound)])) \(count)\n"
            }
            text += "herald_delivery_latency_seconds_bucket\(label(["channel": channel, "le": "+Inf"])) \(histogram.count)\n"
            text += "herald_delivery_latency_seconds_sum\(label(["channel": channel])) \(number(histogram.sum))\n"
            text += "herald_delivery_latency_seconds_count\(label(["channel": channel])) \(histogram.count)\n"
        }
        family("herald_metrics_written_timestamp_seconds", "gauge", "When this file was written (Unix time).",
               [("", "\(snapshot.now.epochSeconds)")])
        return text
    }

    /// `{a="1",b="2"}` in key order, values escaped as the format requires.
    static func label(_ pairs: [String: String]) -> String {
        let escaped = pairs.sorted { $0.key < $1.key }.map { key, value in
            let text = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(text)\""
        }
        return "{" + escaped.joined(separator: ",") + "}"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// The metrics file could not be replaced.
public struct MetricsFileError: Error, CustomStringConvertible {
    public var description: String
}
