import Foundation
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
import HeraldWorker

extension EvaluationFixture {
    /// Plans at `planAt` into `store`'s outbox, then delivers what is due at `deliverAt` through
    /// the config's channels and providers, as the worker would (its setup, its checks).
    @_spi(StoreSQL) public func planAndDeliver(_ store: SQLStore, planAt: String = "2026-03-10 12:00:00",
                                               deliverAt: String = "2026-03-10 12:01:00",
                                               secrets: [String: String] = [:]) async throws {
        try SQLOutboxWriter.write(try evaluate(store, at: planAt), to: store)
        let clock = ManualWallClock(at(deliverAt))
        let service = WorkerService(configPath: configPath, store: store.location, secrets: SecretSource(environment: secrets),
                                    clock: clock, log: EventLog { _ in })
        let setup = try service.loadSetup()
        try await Dispatcher(store: store.location, catalog: setup.catalog, routers: setup.routers,
                             issuers: setup.issuers, clock: clock,
                             log: EventLog { _ in }).drain()
    }
}
