import Foundation
import HeraldCore
import HeraldEdge
import HeraldStore
import HeraldWorker

/// Starts the HTTP edge for `herald serve` and `herald run --serve`: the store created or
/// upgraded first (the edge's read-only connections need the current schema), the router,
/// and the server on `address`.
struct EdgeLauncher {
    let server: HTTPServer
    let router: EdgeRouter

    init(address: String, config: HeraldConfig, clock: any WallClock, log: EventLog) throws {
        _ = try StoreFactory.open(config.store)
        router = try EdgeRouter(store: config.store, config: config, clock: clock,
                                log: { event, fields in log.info(event, fields) }) { error in
            log.storeProblem("serve.store_failed", error, busyEvent: "serve.store_busy")
        }
        server = try HTTPServer(listen: address, handler: router)
        log.info("serve.ready", ["listen": address, "port": "\(server.port)", "store": config.store.description])
    }

    /// Stops listening (requests in progress finish), then stores the clicks still queued.
    func stop() {
        server.stop()
        router.stop()
    }
}
