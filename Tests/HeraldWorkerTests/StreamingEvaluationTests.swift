import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) @testable import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

private let sandbox = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sandbox").path

/// `run` streams each decision into the outbox as the scheduler takes it (issue 13): what it
/// writes must be what `preview` collects, decision for decision, and a second tick at the
/// same instant must find nothing new — on the sandbox, which has every trigger kind.
@Suite struct StreamingEvaluationTests {
    /// The sandbox loaded twice into throwaway stores, at its own instant.
    private struct Twin {
        let preview: SandboxSession
        let run: SandboxSession
        let at: Date

        init(_ backend: StoreBackend) throws {
            let at = try #require(try ConfigLoader.load(path: sandbox + "/herald.json5").sandboxAt)
            let folder = try TemporaryDirectory()
            func load() throws -> SandboxSession {
                try SandboxSession(folder: sandbox, clock: ManualWallClock(at), horizon: at,
                                   store: backend == .sqlite ? nil : try backend.makeLocation(in: folder)) { _ in
                    CollectingSink()
                }
            }
            preview = try load()
            run = try load()
            self.at = at
        }
    }

    @Test(arguments: StoreBackend.allCases) func runWritesWhatPreviewDecides(_ backend: StoreBackend) async throws {
        let twin = try Twin(backend)
        var codes = SendCodes.Source.seededByInstant.codes(at: twin.at)
        let preview = try Scheduler(catalog: twin.preview.catalog, store: twin.preview.store)
            .evaluate(at: twin.at, codes: &codes)
        let runner = try EvaluationRunner(store: twin.run.store.location, keys: twin.run.storeKeys, catalog: twin.run.catalog,
                                          codes: .seededByInstant)
        let outcome = try await runner.evaluate(at: twin.at)
        #expect(outcome.written.written == preview.planned.count && outcome.written.written == 23)
        #expect(outcome.evaluation == preview.counts)
        #expect(outcome.triggers.map(\.candidates) == preview.summaries.map(\.candidates))

        // Every planned send, with its rendered text and codes, is one outbox row.
        // The sandbox's store is sealed (its dev key): bodies are read back through the store's key.
        let store = try #require(twin.run.store as? SQLStore)
        #expect(store.encryptionKeyID != nil)
        let database = store.database
        let rows = try database.prepare("""
            SELECT o.trigger_id, m.id, o.occurrence_key, o.channel, o.scheduled_at, coalesce(o.variant, '-'), o.body
            FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY o.key
            """)
        var written: [String] = []
        while try rows.step() {
            written.append(try (0..<7).map { try store.opened(rows.text(at: $0)) ?? "" }.joined(separator: " | "))
        }
        let planned = preview.planned.map {
            [$0.triggerID, $0.memberID, $0.occurrenceKey, $0.channel, String($0.scheduledAt.epochSeconds),
             $0.variant ?? "-", $0.text].joined(separator: " | ")
        }
        #expect(written == planned)
        // Held-out members are occurrences, the other suppressions (the cap of a lower trigger
        // included: the writer's connection answers the history) are report rows.
        let heldOut = try database.scalarInteger("SELECT count(*) FROM occurrences WHERE outcome = 'held_out'")
        #expect(heldOut == Int64(preview.counts.heldOut) && heldOut == 2)
        let reasons = try database.prepare("""
            SELECT s.trigger_id || ' ' || m.id || ' ' || s.reason FROM suppressions s
            JOIN members m ON m.key = s.member_key ORDER BY 1
            """)
        var suppressed: [String] = []
        while try reasons.step() { suppressed.append(reasons.text(at: 0) ?? "") }
        #expect(suppressed == preview.suppressed.filter { $0.reason != .holdout }
            .map { "\($0.triggerID) \($0.memberID) \($0.reason.rawValue)" }.sorted())
        #expect(suppressed.contains("low_balance M22770 cap"))
        // The codes a run draws are checked against the outbox: these are taken now.
        let firstToken = try #require(preview.planned.first?.linkToken)
        let firstCoupon = try #require(preview.planned.compactMap(\.coupon).first?.code)
        #expect(try store.isSendCodeIssued(firstToken) && store.isSendCodeIssued(firstCoupon))
        #expect(try !store.isSendCodeIssued("NOSUCHCODE00"))
    }

    @Test(arguments: StoreBackend.allCases) func aSecondTickAtTheSameInstantReadsOnlyWhatIsStillOpen(_ backend: StoreBackend) async throws {
        let twin = try Twin(backend)
        let runner = try EvaluationRunner(store: twin.run.store.location, keys: twin.run.storeKeys, catalog: twin.run.catalog,
                                          codes: .seededByInstant)
        let first = try await runner.evaluate(at: twin.at)
        let second = try await runner.evaluate(at: twin.at)
        #expect(second.written.written == 0 && second.written.heldOut == 0 && second.written.alreadyRecorded == 0)
        // Each kind's occurrence key in SQL equals the one Swift computes: every planned or
        // held-out candidate is left out by the query; so is every suppressed one that still has
        // no consented address. Only the others (audience, cap) are read again.
        let unreachable: Set<SuppressionReason> = [.noConsent, .noChannel]
        for (before, after) in zip(first.triggers, second.triggers) {
            let open = before.suppressed.filter { reason, _ in
                ![.holdout, .duplicate].contains(reason) && !unreachable.contains(reason)
            }
            #expect(after.candidates == open.values.reduce(0, +), "\(before.triggerID)")
            #expect(after.suppressed == open, "\(before.triggerID)")
        }
        // 9 suppressed at first: 2 held out, 5 without a consented address, the audience and the cap ones left.
        #expect(second.triggers.reduce(0) { $0 + $1.candidates } == 2)
        // A preview still lists the decided occurrences, as SPEC 3 shows them: `duplicate`.
        var codes = SendCodes.seeded(1)
        let preview = try Scheduler(catalog: twin.run.catalog, store: twin.run.store)
            .evaluate(at: twin.at, codes: &codes)
        #expect(preview.planned.isEmpty && preview.counts.suppressed[.duplicate] == 25)
    }

    /// The member left out for lacking consent is read again as soon as consent arrives.
    @Test(arguments: StoreBackend.allCases) func consentGivenAfterASuppressionIsSeenAtTheNextTick(_ backend: StoreBackend) async throws {
        let twin = try Twin(backend)
        let runner = try EvaluationRunner(store: twin.run.store.location, keys: twin.run.storeKeys, catalog: twin.run.catalog,
                                          codes: .seededByInstant)
        _ = try await runner.evaluate(at: twin.at)
        // 蒋雯 (M29781), points expiring, refused SMS and has no push: no_consent.
        let ingester = try twin.run.store.makeEventIngester(defaultTimeZone: twin.run.catalog.config.timeZone,
                                                            clock: ManualWallClock(twin.at))
        let optIn = #"{"id": "optin-1", "member_id": "M29781", "type": "opt_in", "channel": "sms", "#
            + #""at": "2026-02-28T09:31:00+08:00"}"#
        _ = try ingester.ingest(lines: [optIn], sink: CollectingSink())
        let next = try await runner.evaluate(at: twin.at + 120)
        let points = try #require(next.triggers.first { $0.triggerID == "points_expiry" })
        #expect(points.candidates == 1 && points.planned == 1 && next.written.written == 1)
    }
}
