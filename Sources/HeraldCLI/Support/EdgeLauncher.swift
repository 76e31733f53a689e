import Foundation
import HeraldCore
import HeraldDelivery
import HeraldEdge
import HeraldStore
import HeraldWorker

/// Starts the HTTP edge for `herald serve` and `herald run --serve`: the store created or
/// upgraded first (the edge's read-only connections need the current schema), the router,
/// and the server on `address`.
struct EdgeLauncher {
    let server: HTTPServer
    let router: EdgeRouter

    /// `workerMetrics`: the worker's samples, shown on `/metrics` before the edge's own
    /// (`herald run --serve`).
    init(address: String, config: HeraldConfig, clock: any WallClock, log: EventLog,
         workerMetrics: LatestMetrics? = nil) throws {
        let storeKeys = try StoreKeys(resolving: config.storeKey)
        _ = try StoreFactory.open(config.store, keys: storeKeys)
        let key = try config.serveCallbackKey.map { text in
            try SecretSource.system.substitute(in: text) {
                Diagnostic(file: config.sourcePath, message: "serve.callback_key: \($0)")
            }
        }
        if key == nil { log.warning("serve.callbacks_off", ["note": "set serve.callback_key to take provider callbacks"]) }
        var showWorker: (@Sendable () -> String)?
        if let workerMetrics { showWorker = { workerMetrics.text } }
        let router = try EdgeRouter(store: config.store, keys: storeKeys, config: config, callbackKey: key, clock: clock,
                                    workerMetrics: showWorker, log: { event, fields in log.info(event, fields) }) { error in
            log.storeProblem("serve.store_failed", error, busyEvent: "serve.store_busy")
        }
        do {
            server = try HTTPServer(listen: address, handler: router)
        } catch {
            router.stop()
            throw error
        }
        self.router = router
        log.info("serve.ready", ["listen": address, "port": "\(server.port)", "store": config.store.description])
    }

    /// Stops listening (requests in progress finish), then stores the clicks still queued.
    func stop() {
        server.stop()
        router.stop()
    }
}
