/// The store's schema, as the ordered list of migrations that build it.
///
/// Instants are INTEGER seconds since the epoch (UTC); money is INTEGER fen. Never edit
/// a released migration: add a new one, so that every store on disk can follow — on both
/// backends: a migration after version 11 is added to both lists, written for each.
public enum HeraldSchema {
    public static var latestVersion: Int { migrations.last!.version }

    /// The migrations of a backend: SQLite's whole history, or PostgreSQL's, which starts at
    /// version 11 (`PostgresSchema.baseline`: no PostgreSQL store is older).
    @_spi(StoreSQL) public static func migrations(for dialect: SQLDialect) -> [SchemaMigration] {
        switch dialect {
        case .sqlite: migrations
        case .postgres: PostgresSchema.migrations
        }
    }

    /// Attributes every stored purchase to the sends and held-out occurrences it converts
    /// (what ingest does one purchase at a time): part of migration 7, and run by the report
    /// benchmark's generator, which writes its events with SQL. Frozen with migration 7: a
    /// change to the attribution window needs a migration of its own.
    @_spi(StoreSQL) public static let purchaseBackfill = """
        UPDATE outbox SET purchased_at = \(SendAttribution.firstPurchase(
            member: "outbox.member_key", after: "outbox.scheduled_at", until: "outbox.attribution_until"));
        UPDATE occurrences SET purchased_at = \(SendAttribution.firstPurchase(
            member: "occurrences.member_key", after: "occurrences.scheduled_at", until: "occurrences.attribution_until"))
        WHERE outcome = 'held_out';
        """

    /// SQLite's migrations, version 1 on.
    public static let migrations: [SchemaMigration] = [
        SchemaMigration(version: 1, summary: "members, member state, tags, events, points lots", sql: """
            CREATE TABLE members (
                key INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,              -- upsert by id; ingest looks members up by it
                name TEXT,
                phone TEXT,                           -- E.164
                email TEXT,
                push_token TEXT,
                birth_year INTEGER,                   -- NULL for --MM-DD
                birth_month INTEGER,
                birth_day INTEGER,
                timezone TEXT,                        -- NULL: the config's default
                locale TEXT,
                tier TEXT,
                region TEXT,
                registration_channel TEXT,
                registered_at INTEGER,
                last_active_at INTEGER,               -- as imported
                tags TEXT,                            -- sorted, ';'-joined copy of member_tags, for change detection
                consent_sms TEXT,                     -- 'yes' | 'no' | NULL (unknown)
                consent_push TEXT,
                consent_email TEXT
            );
            -- birthday: members whose (month, day) is one of the one to three local dates T can be.
            CREATE INDEX members_birthday ON members(birth_month, birth_day);

            -- What events keep changing, apart from the wide, rarely written profile row: narrow
            -- enough (about 40 bytes a member) that ingest's per-batch updates stay in the page
            -- cache. One row per member, written with the member.
            CREATE TABLE member_state (
                member_key INTEGER PRIMARY KEY REFERENCES members(key) ON DELETE CASCADE,
                last_event_at INTEGER,                -- latest activity-type event
                last_activity_at INTEGER,             -- max(registered_at, last_active_at, last_event_at)
                stored_value INTEGER,                 -- fen, live: the last imported snapshot plus event deltas since
                imported_stored_value INTEGER,        -- fen, the last snapshot an import brought (re-importing it changes nothing)
                last_topup_at INTEGER,
                total_spent INTEGER NOT NULL DEFAULT 0 -- fen, sum of purchases
            );
            -- inactivity: a range scan on last activity (T - max_days, T - days].
            CREATE INDEX member_state_last_activity ON member_state(last_activity_at);
            -- low_balance: 0 <= stored_value < below, only over members with an account.
            CREATE INDEX member_state_stored_value ON member_state(stored_value) WHERE stored_value IS NOT NULL;

            CREATE TABLE member_tags (
                member_key INTEGER NOT NULL REFERENCES members(key) ON DELETE CASCADE,
                tag TEXT NOT NULL,
                PRIMARY KEY (member_key, tag)         -- audience `tags any/all` per candidate
            ) WITHOUT ROWID;
            -- audience filters pushed down: members carrying a tag.
            CREATE INDEX member_tags_tag ON member_tags(tag, member_key);

            CREATE TABLE events (
                key INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,              -- given, or 'h:' + FNV-1a-128 of the line: ingest dedupes on it
                member_key INTEGER REFERENCES members(key),  -- NULL only for delivery receipts
                type TEXT NOT NULL,
                at INTEGER NOT NULL,
                amount INTEGER,                       -- fen: purchase, topup, stored_value_spend
                sku TEXT,
                category TEXT,
                reference TEXT,                       -- click token, redeemed coupon, receipt key / provider id
                payload TEXT NOT NULL,                -- the JSON object as received
                ingested_at INTEGER NOT NULL
            );
            -- cart_abandonment (cart_add in [T - within, T - after]) and event triggers (type, window).
            CREATE INDEX events_type_at ON events(type, at);
            -- per member: purchase after the cart, custom activity_events, holdout purchases.
            CREATE INDEX events_member_type_at ON events(member_key, type, at);
            -- metrics: a click's token, a redeemed coupon, a receipt's key.
            CREATE INDEX events_reference ON events(type, reference) WHERE reference IS NOT NULL;

            CREATE TABLE points_lots (
                key INTEGER PRIMARY KEY,
                member_key INTEGER NOT NULL REFERENCES members(key),
                event_key INTEGER NOT NULL REFERENCES events(key),
                points INTEGER NOT NULL,
                remaining INTEGER NOT NULL,
                earned_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            );
            -- points_spend takes first-expiring lots first; balance per member.
            CREATE INDEX points_lots_member ON points_lots(member_key, expires_at);
            -- points_expiry: lots with points left expiring in (T, T + within_days].
            CREATE INDEX points_lots_expiring ON points_lots(expires_at) WHERE remaining > 0;
            """),
        SchemaMigration(version: 2, summary: "occurrences, outbox, delivery attempts", sql: """
            CREATE TABLE occurrences (
                trigger_id TEXT NOT NULL,
                member_key INTEGER NOT NULL REFERENCES members(key),
                occurrence_key TEXT NOT NULL,         -- SPEC 2: birthday:2026, cart:<event id>, …
                outcome TEXT NOT NULL CHECK (outcome IN ('planned', 'held_out')),
                variant TEXT,
                evaluated_at INTEGER NOT NULL,
                PRIMARY KEY (trigger_id, member_key, occurrence_key)  -- the `duplicate` rule
            ) WITHOUT ROWID;

            CREATE TABLE outbox (
                key INTEGER PRIMARY KEY,
                trigger_id TEXT NOT NULL,
                member_key INTEGER NOT NULL REFERENCES members(key),
                occurrence_key TEXT NOT NULL,
                idempotency_key TEXT NOT NULL UNIQUE, -- carried by every gateway call and retry
                category TEXT NOT NULL CHECK (category IN ('marketing', 'service')),
                channel TEXT NOT NULL,
                address TEXT NOT NULL,
                template TEXT NOT NULL,
                variant TEXT,
                title TEXT,
                body TEXT NOT NULL,
                segments INTEGER,
                link_token TEXT UNIQUE,               -- clicks find their send through it
                coupon_code TEXT UNIQUE,
                coupon_title TEXT,
                coupon_expires_at INTEGER,
                scheduled_at INTEGER NOT NULL,
                expires_at INTEGER,
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'expired', 'cancelled')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,     -- scheduled_at, then backoff
                lease_until INTEGER,                  -- a claimed row returns to the queue after it
                last_error TEXT,
                provider_id TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (trigger_id, member_key, occurrence_key)
            );
            -- dispatcher: due rows by status and next attempt.
            CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
            -- caps and cooldown: a member's sends around an instant.
            CREATE INDEX outbox_member_scheduled ON outbox(member_key, scheduled_at);
            -- receipts that name the gateway's id instead of our key.
            CREATE INDEX outbox_provider ON outbox(provider_id) WHERE provider_id IS NOT NULL;

            CREATE TABLE delivery_attempts (
                outbox_key INTEGER NOT NULL REFERENCES outbox(key),
                attempt INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                outcome TEXT,                         -- sent | retry | failed | cancelled | expired | rescheduled
                http_status INTEGER,
                error TEXT,
                PRIMARY KEY (outbox_key, attempt)
            ) WITHOUT ROWID;
            """),
        SchemaMigration(version: 3, summary: "outbox fallbacks, per-channel due index, lease index, attempt latency", sql: """
            -- JSON array of the same send rendered for later channels ({channel, kind, address, title,
            -- text, segments}): the dispatcher moves to the first when this channel fails permanently.
            ALTER TABLE outbox ADD COLUMN fallbacks TEXT;
            -- the dispatcher claims due rows per channel (each channel has its own concurrency and rate).
            DROP INDEX outbox_due;
            CREATE INDEX outbox_due ON outbox(status, channel, next_attempt_at);
            -- rows whose worker died mid-call: their lease ran out.
            CREATE INDEX outbox_leases ON outbox(lease_until) WHERE status = 'sending';
            -- `herald outbox list/cancel --trigger`, reports per trigger.
            CREATE INDEX outbox_trigger ON outbox(trigger_id, status);
            ALTER TABLE delivery_attempts ADD COLUMN latency_ms INTEGER;
            """),
        SchemaMigration(version: 4, summary: "attribution: report days and windows, clicks, redeems, receipts, suppressions", sql: """
            -- The report's day (SPEC 6: the day of scheduled_at on the member's clock) and the end
            -- of the attribution window, both fixed when the send is planned. Rows written before
            -- v4 get the Asia/Shanghai day and a 7-day window (the only deployments so far).
            ALTER TABLE occurrences ADD COLUMN scheduled_at INTEGER;          -- would-be instant for held-out members
            ALTER TABLE occurrences ADD COLUMN local_day TEXT;                -- 'YYYY-MM-DD'
            ALTER TABLE occurrences ADD COLUMN attribution_until INTEGER;
            UPDATE occurrences SET scheduled_at = evaluated_at,
                local_day = strftime('%Y-%m-%d', evaluated_at, 'unixepoch', '+8 hours'),
                attribution_until = evaluated_at + 7 * 86400;
            -- held-out members per report period (the control group).
            CREATE INDEX occurrences_held_out ON occurrences(local_day) WHERE outcome = 'held_out';

            ALTER TABLE outbox ADD COLUMN local_day TEXT;
            ALTER TABLE outbox ADD COLUMN attribution_until INTEGER;
            ALTER TABLE outbox ADD COLUMN clicked_at INTEGER;                -- first click on the send's link token
            ALTER TABLE outbox ADD COLUMN redeemed_at INTEGER;               -- first redeem of its coupon within validity
            ALTER TABLE outbox ADD COLUMN receipt TEXT CHECK (receipt IN ('delivered', 'undelivered'));
            ALTER TABLE outbox ADD COLUMN receipt_at INTEGER;                -- the latest receipt wins
            UPDATE outbox SET local_day = strftime('%Y-%m-%d', scheduled_at, 'unixepoch', '+8 hours'),
                attribution_until = coalesce(coupon_expires_at, scheduled_at + 7 * 86400);
            -- reports per period.
            CREATE INDEX outbox_day ON outbox(local_day);

            -- Members whose condition held but who got nothing, by the reason of the latest
            -- evaluation. Re-evaluating every tick updates one row; an occurrence planned or held
            -- out later is not counted as suppressed in reports (its final outcome wins).
            CREATE TABLE suppressions (
                trigger_id TEXT NOT NULL,
                member_key INTEGER NOT NULL REFERENCES members(key),
                occurrence_key TEXT NOT NULL,
                reason TEXT NOT NULL,                 -- audience | no_channel | no_consent | cap
                local_day TEXT NOT NULL,              -- the member's day when first suppressed
                first_at INTEGER NOT NULL,
                last_at INTEGER NOT NULL,
                PRIMARY KEY (trigger_id, member_key, occurrence_key)
            ) WITHOUT ROWID;
            CREATE INDEX suppressions_day ON suppressions(local_day);
            """),
            SchemaMigration(version: 5, summary: "leases with owners, call starts, throttled deferrals", sql: """
            -- The worker holding a 'sending' row: a live worker extends its own leases and never
            -- recovers its own rows; another worker may recover them once the lease ran out.
            ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
            -- Set, in the same transaction as the re-check, right before the row's call starts: a
            -- lease recovered after a crash costs an attempt only when a call had started.
            ALTER TABLE outbox ADD COLUMN call_started_at INTEGER;
            -- Times a throttling gateway (429) deferred the row, and since when: deferrals spend no
            -- attempt, and go on for at most dispatch.max_deferral from the first.
            ALTER TABLE outbox ADD COLUMN deferrals INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE outbox ADD COLUMN deferred_since INTEGER;
            """),
        SchemaMigration(version: 6, summary: "providers: template content, accepting provider, cost, suppressed addresses", sql: """
            -- What template-based providers send (SPEC 7): the mapping file rendered for this send,
            -- a JSON object by provider name. NULL when the template has no mapping.
            ALTER TABLE outbox ADD COLUMN provider_content TEXT;
            -- The provider that accepted it, and what it cost: segments x its price_per_segment,
            -- in thousandths of a fen (0.045 yuan a segment = 4500). NULL when no price is set.
            ALTER TABLE outbox ADD COLUMN provider TEXT;
            ALTER TABLE outbox ADD COLUMN cost_millifen INTEGER;
            -- Which provider each attempt called (failover calls several for one attempt).
            ALTER TABLE delivery_attempts ADD COLUMN provider TEXT;
            -- Receipt pulls: a provider's recent sends still without a receipt.
            CREATE INDEX outbox_awaiting_receipt ON outbox(provider, updated_at) WHERE status = 'sent' AND receipt IS NULL;

            -- Addresses a provider said can never receive messages (recipient-permanent: an invalid
            -- number, the carrier's or provider's block list). Planning skips them (reason
            -- address_suppressed) and the re-check before a call cancels rows to them.
            CREATE TABLE address_suppressions (
                address TEXT PRIMARY KEY,             -- E.164 phone, e-mail or push token, as in outbox.address
                kind TEXT NOT NULL,                   -- sms | push | email
                reason TEXT NOT NULL,                 -- the provider's words, redacted
                provider TEXT,
                outbox_key INTEGER,                   -- the send that found out
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        SchemaMigration(version: 7, summary: "purchases attributed to sends and held-out occurrences", sql: """
            -- The member's first purchase after the send was scheduled and within its attribution
            -- window (SPEC 6's lift): set at ingest, or when the send is planned if the purchase
            -- came first, so a report reads it off the row instead of probing events per send.
            ALTER TABLE outbox ADD COLUMN purchased_at INTEGER;
            ALTER TABLE occurrences ADD COLUMN purchased_at INTEGER;
            -- A purchase finds the member's held-out occurrences (sends: outbox_member_scheduled).
            CREATE INDEX occurrences_held_out_member ON occurrences(member_key, scheduled_at)
                WHERE outcome = 'held_out';
            \(purchaseBackfill)
            """),
        SchemaMigration(version: 8, summary: "tracked links' targets, members by phone", sql: """
            -- The message's link targets in order, one per line: `herald serve` redirects
            -- <links.base><token>/<n> to the n-th (1-based; no /<n>: the first). NULL for rows
            -- written before this version (their links answer links.fallback or 404).
            ALTER TABLE outbox ADD COLUMN link_targets TEXT;
            -- An SMS reply "T" opts out every member with the sender's number.
            CREATE INDEX members_phone ON members(phone) WHERE phone IS NOT NULL;
            """),
        SchemaMigration(version: 9, summary: "HTML e-mail", sql: """
            -- An e-mail's HTML rendering (email.<locale>.html), sent as multipart/alternative
            -- with the text in `body`; NULL for text-only mail and other channels.
            ALTER TABLE outbox ADD COLUMN html TEXT;
            """),
        SchemaMigration(version: 10, summary: "WeChat: openids, consent, shared access tokens", sql: """
            -- The member's openid for the configured official account or mini-program, and
            -- their WeChat consent (a 43101 refusal from WeChat sets it to 'no').
            ALTER TABLE members ADD COLUMN wechat_openid TEXT;
            ALTER TABLE members ADD COLUMN consent_wechat TEXT;
            -- WeChat access tokens, one per app id, shared by every worker on this store:
            -- WeChat allows 2,000 token requests a day and a new one ends the old one's life.
            CREATE TABLE provider_tokens (
                provider TEXT PRIMARY KEY,
                token TEXT NOT NULL,
                expires_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            """),
        SchemaMigration(version: 11, summary: "deliver: all — companion sends", sql: """
            -- A trigger with deliver: "all" sends on every reachable, consented channel as one
            -- occurrence: the primary row keeps the occurrence, link token and coupon; each
            -- other channel's message is a row pointing at it, its occurrence_key '+<channel>:'
            -- before the primary's (no trigger kind makes a key starting with '+'). Caps count
            -- the occurrence once, while any of its messages is live.
            ALTER TABLE outbox ADD COLUMN companion_of INTEGER;
            CREATE INDEX outbox_companions ON outbox(companion_of) WHERE companion_of IS NOT NULL;
            """),
        SchemaMigration(version: 12, summary: "audit log", sql: auditLog(sequence: "INTEGER", instant: "INTEGER", text: "TEXT") + """
            CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """),
        SchemaMigration(version: 13, summary: "store keys, retention", sql: keysAndRetention(text: "TEXT", instant: "INTEGER")),
        SchemaMigration(version: 14, summary: "coupon issuance", sql: couponIssuance(text: "TEXT", instant: "INTEGER")),
    ]

    /// Version 14, alike on both backends. `offer.issuer`: on the row holding an occurrence's
    /// coupon, when the coupon system issued it, and the code Herald planned (which the message
    /// texts carry) once the system answered with a code of its own — `coupon_code` is then the
    /// system's, the one redeem events name, and each message has the planned code replaced
    /// before its call.
    static func couponIssuance(text: String, instant: String) -> String {
        """
        ALTER TABLE outbox ADD COLUMN coupon_issued_at \(instant);
        ALTER TABLE outbox ADD COLUMN coupon_planned_code \(text);
        """
    }

    /// Version 13, alike on both backends: the ids of the keys the store's sealed values are
    /// under (never the keys; `SQLStore+Encryption`), and the indexes retention deletes by.
    static func keysAndRetention(text: String, instant: String) -> String {
        """
        -- Every key id a sealed value may be under; 'plaintext' while unencrypted values remain.
        -- Empty: an unencrypted store. A store listed here refuses to open without its key.
        CREATE TABLE store_keys (
            key_id \(text) PRIMARY KEY,
            added_at \(instant) NOT NULL
        );
        -- retention: delivery attempts and events by age.
        CREATE INDEX delivery_attempts_started ON delivery_attempts(started_at);
        CREATE INDEX events_at ON events(at);
        """
    }

    /// Operators' actions, one row each, in a hash chain: each row's `hash` is SHA-256 over
    /// its fields and the row before's hash (`SQLStore.auditHash`), so an edited, removed or inserted
    /// row breaks every hash after it (`herald audit --verify`). Triggers refuse updates and
    /// deletes; the chain catches what goes around them (an edit of the file itself).
    static func auditLog(sequence: String, instant: String, text: String) -> String {
        """
        CREATE TABLE audit_log (
            seq \(sequence) PRIMARY KEY,              -- 1, 2, …: the chain's order
            at \(instant) NOT NULL,
            actor \(text) NOT NULL,                    -- --actor, else the OS user
            action \(text) NOT NULL,                   -- the command: 'suppress add', 'outbox cancel', …
            detail \(text) NOT NULL,                   -- what it affected: counts and ids, never an address
            previous_hash \(text) NOT NULL,
            hash \(text) NOT NULL
        );
        CREATE INDEX audit_log_at ON audit_log(at);

        """
    }
}
