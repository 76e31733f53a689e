import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// The sandbox's simulated day, shared by `run --sandbox` and `report --sandbox`: history
/// loaded up to `sandbox.at`, one evaluation there, each send delivered at its scheduled time
/// over the next 24 hours through the (log) channels, then the events that follow — clicks,
/// redeems, receipts, purchases — ingested, as if the day had been lived.
struct SandboxDay {
    let session: SandboxSession
    let start: Date
    let report: WorkerService.Report

    static func configPath(_ folder: String) -> String { (folder as NSString).appendingPathComponent("herald.json5") }

    static func run(folder: String, context: CommandContext, log: EventLog) throws -> SandboxDay {
        let configPath = configPath(folder)
        let config = try ConfigLoader.load(path: configPath)
        let start = config.sandboxAt ?? context.clock.now()
        // Each simulated day writes its log channels' (and coupon issuers') files afresh: a second
        // `report --sandbox` (or `run --sandbox`) must not append its day to the last one's.
        for provider in config.channels.flatMap(\.providers) + config.couponIssuers where provider.adapter == "log" {
            guard let file = provider.entry["path"]?.stringValue, !file.isEmpty else { continue }
            let path = file.hasPrefix("/") ? file : (provider.baseFolder as NSString).appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: path) { try Data().write(to: URL(fileURLWithPath: path)) }
        }
        let clock = ManualWallClock(start)
        let session = try SandboxSession(folder: folder, clock: clock, horizon: start) { file in
            try RejectsWriter(console: context.console, inputName: file, rejectsPath: nil)
        }
        let service = WorkerService(configPath: configPath, store: session.store.location, clock: clock, log: log,
                                    codes: .seededByInstant)
        let report = try AsyncBridge.blocking { try await service.runOnce(simulateUntil: start + 86_400) }
        try session.ingestLaterEvents { line, message in
            context.console.printError("events.ndjson:\(line): warning: \(message)")
        }
        return SandboxDay(session: session, start: start, report: report)
    }
}
