import Foundation

/// The checks that need more than one file (issue 3, SPEC 1.2–1.3): channels exist,
/// templates exist for every listed channel in the default locale, placeholders are
/// supplied by the trigger's kind, filters fit their values, windows open outside quiet
/// hours, and SMS stay within `sms.max_segments` in the worst case.
public struct CatalogChecks {
    let catalog: Catalog
    let log: DiagnosticLog

    func run() {
        checkMappingProviders()
        for trigger in catalog.triggers {
            checkChannels(trigger)
            checkIssuer(trigger)
            checkWindow(trigger)
            checkRetention(trigger)
            for name in trigger.templateNames {
                checkTemplates(name, of: trigger)
            }
        }
    }

    private var config: HeraldConfig { catalog.config }

    /// "did you mean 'sms'? " when a known name is close to `name`, else nothing.
    static func didYouMean(_ name: String, _ known: [String]) -> String {
        SpellingSuggestion.question(for: name, among: known).map { $0 + " " } ?? ""
    }

    private func checkChannels(_ trigger: Trigger) {
        for name in trigger.channels where config.channel(named: name) == nil {
            let known = config.channels.map(\.name)
            log.add(file: trigger.sourcePath, at: trigger.positions["channels"],
                    "channels: '\(name)' is not defined in \(config.sourcePath) (\(Self.didYouMean(name, known))defined: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
    }

    private func checkIssuer(_ trigger: Trigger) {
        guard case .named(let name)? = trigger.offer?.issuer, catalog.couponIssuer(for: trigger) == nil else { return }
        let known = config.couponIssuers.map(\.name)
        log.add(file: trigger.sourcePath, at: trigger.positions["offer"],
                "offer.issuer: '\(name)' is not defined under coupon_issuers in \(config.sourcePath) "
                + "(\(Self.didYouMean(name, known))defined: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
    }

    /// How far back a trigger reads events; nil when it reads none (its state is derived).
    static func eventLookBack(_ trigger: Trigger) -> TimeSpan? {
        switch trigger.kind {
        case .event(let kind): TimeSpan(seconds: kind.delay.seconds + kind.within.seconds)
        case .cartAbandonment(let kind): kind.within
        // The latest of its activity events is its last activity: every one since `days` (or `max_days`) must be there.
        case .inactivity(let kind) where !kind.activityEvents.isEmpty: TimeSpan(days: Int64((kind.maxDays ?? kind.days) + 1))
        default: nil
        }
    }

    /// `retention.events` must keep every event a trigger still reads: deleted before it is due,
    /// an event would never send (or an inactivity clock would jump back and send again).
    private func checkRetention(_ trigger: Trigger) {
        guard let kept = config.retention.events else { return }
        if case .inactivity(let kind) = trigger.kind, !kind.activityEvents.isEmpty, kind.maxDays == nil {
            log.add(file: trigger.sourcePath, at: trigger.positions["params"] ?? trigger.positions["kind"],
                    "params.max_days: expected with activity_events while retention.events (\(kept)) deletes old events: "
                    + "a member's last activity event would be deleted and their inactivity counted again")
            return
        }
        // An audience's windows (and RFM's year of purchases) count events retention would have deleted.
        for measure in trigger.measures {
            guard let days = Self.lookBackDays(of: measure), TimeSpan(days: Int64(days)) > kept else { continue }
            log.add(file: trigger.sourcePath, at: trigger.positions["audience"],
                    "audience: \(measure.field) reads events back \(days)d, longer than retention.events (\(kept)) in "
                    + "\(config.sourcePath) keeps them; raise retention.events or shorten the window")
        }
        guard let needed = Self.eventLookBack(trigger), needed > kept else { return }
        log.add(file: trigger.sourcePath, at: trigger.positions["params"] ?? trigger.positions["kind"],
                "reads events back \(needed), longer than retention.events (\(kept)) in \(config.sourcePath) keeps them; "
                + "raise retention.events or shorten the trigger's window")
    }

    /// How many days of events a behavioural measure counts; nil: it reads the member's last one.
    static func lookBackDays(of measure: BehaviourMeasure) -> Int? {
        switch measure {
        case .purchases(let days), .spent(let days), .events(_, _, let days): days
        case .rfm: RFMScores.lookbackDays
        case .daysSincePurchase, .daysSinceActivity: nil
        }
    }

    private func checkWindow(_ trigger: Trigger) {
        // A Monday at midnight UTC: the search looks eight days ahead, so a weekly window is found from any start.
        let monday = Date(timeIntervalSince1970: 4 * 86_400)
        let window = trigger.sendWindow(quietHours: config.quietHours)
        if window.earliestInstant(atOrAfter: monday, in: TimeZone(identifier: "UTC")!) == nil {
            let quiet = trigger.category == .marketing ? config.quietHours.map { " outside quiet_hours \($0)" } ?? "" : ""
            log.add(file: trigger.sourcePath, at: trigger.positions["window"] ?? trigger.positions["category"],
                    "window: never open\(quiet); a \(trigger.category.rawValue) send could never be scheduled")
        }
    }

    private func checkTemplates(_ name: String, of trigger: Trigger) {
        let position = trigger.variants.contains { $0.template == name } && name != trigger.template
            ? trigger.positions["variants"] : trigger.positions["template"]
        for channelName in trigger.channels {
            guard let kind = config.channel(named: channelName)?.kind else { continue }
            for locale in Self.localesNeeded(by: trigger, defaultLocale: config.locale) {
                let required = Catalog.TemplateKey(template: name, channel: kind, locale: locale)
                let expectedPath = ((config.templatesFolder as NSString).appendingPathComponent(name) as NSString)
                    .appendingPathComponent("\(kind.rawValue).\(locale).txt")
                // A file that is there but could not be read has its own problems reported already.
                if catalog.templates[required] == nil, !FileManager.default.fileExists(atPath: expectedPath) {
                    let which = locale == config.locale ? "the default locale" : "locale \(locale), the only one its audience admits"
                    log.add(file: trigger.sourcePath, at: position,
                            "template '\(name)' has no \(kind.rawValue) text in \(which): expected \(expectedPath)")
                }
            }
            for (key, template) in catalog.templates.sorted(by: { $0.value.path < $1.value.path })
                where key.template == name && key.channel == kind {
                checkPlaceholders(template, for: trigger)
                if kind == .sms { checkSegments(template, for: trigger) }
            }
        }
        // A mapping's params are filled like the local text; each kind's file is checked once.
        let kinds = Set(trigger.channels.compactMap { config.channel(named: $0)?.kind })
        for kind in ChannelKind.allCases where kinds.contains(kind) {
            for template in catalog.providerMapping(name, channel: kind)?.templates ?? [] {
                checkPlaceholders(template, for: trigger)
            }
        }
    }

    /// The locales a trigger's members may have a text in: the default one (members whose own
    /// locale has no text get it), unless the audience admits only other locales (`locale =
    /// en-US`), whose texts are then the ones every member gets.
    static func localesNeeded(by trigger: Trigger, defaultLocale: String) -> [String] {
        guard let admitted = trigger.audience?.requiredValues(of: "locale") else { return [defaultLocale] }
        let locales = admitted.compactMap { if case .text(let text) = $0 { MemberRecordDecoder.normalizedLocale(text) } else { nil } }
        return locales.contains(defaultLocale) || locales.isEmpty ? [defaultLocale] : locales.sorted()
    }

    /// A mapping names providers defined under `providers`: a typo must not pass silently.
    private func checkMappingProviders() {
        let known = config.providers.map(\.name)
        for mapping in catalog.providerMappings.values.sorted(by: { $0.path < $1.path }) {
            for entry in mapping.entries where !known.contains(entry.provider) {
                log.add(file: mapping.path, at: entry.keyPosition, "'\(entry.provider)' is not defined under providers "
                            + "in \(config.sourcePath) (defined: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
        }
    }

    private func checkPlaceholders(_ template: MessageTemplate, for trigger: Trigger) {
        let supplied = TemplateValue.commonPaths.union(trigger.kind.suppliedValues)
            .union(trigger.offer == nil ? [] : TemplateValue.couponPaths)
        let declared = Set(trigger.kind.eventAttributePaths)
        for (file, placeholder) in template.placeholdersByFile {
            func problem(_ message: String) { log.add(file: file, at: placeholder.position, message) }
            if placeholder.path.hasPrefix("event."), TemplateValue.knownPaths[placeholder.path] == nil,
               !declared.contains(placeholder.path) {
                let name = placeholder.path.dropFirst("event.".count)
                problem(trigger.kind.name == EventKind.name
                    ? "'\(placeholder.path)' is not an attribute trigger '\(trigger.id)' declares (\(trigger.sourcePath)): add params.attributes: [\"\(name)\"]"
                    : "'\(placeholder.path)' cannot be filled for trigger '\(trigger.id)' (\(trigger.sourcePath)): a \(trigger.kind.name) trigger has no event")
                continue
            }
            guard let type = TemplateValue.knownPaths[placeholder.path] ?? (declared.contains(placeholder.path) ? .text : nil) else {
                let known = TemplateValue.knownPaths.keys.sorted()
                problem("unknown value '\(placeholder.path)' (\(Self.didYouMean(placeholder.path, known))expected one of: \(known.joined(separator: ", ")))")
                continue
            }
            guard supplied.contains(placeholder.path) else {
                let reason = TemplateValue.couponPaths.contains(placeholder.path)
                    ? "it has no offer" : "a \(trigger.kind.name) trigger does not supply it"
                problem("'\(placeholder.path)' cannot be filled for trigger '\(trigger.id)' (\(trigger.sourcePath)): \(reason)")
                continue
            }
            var current: TemplateValue.ValueType? = type
            for filter in placeholder.filters {
                switch filter {
                case .date where current != .date:
                    problem("filter 'date' needs a date, but '\(placeholder.path)' is \(current.map { "a \($0.rawValue)" } ?? "text")")
                case .money where current != .money:
                    problem("filter 'money' needs an amount, but '\(placeholder.path)' is \(current.map { "a \($0.rawValue)" } ?? "text")")
                default:
                    break
                }
                if case .money = filter { current = .text }
                if case .date = filter { current = .text }
                if case .mask = filter { current = .text }
            }
            let hasDefault = placeholder.filters.contains { if case .default = $0 { true } else { false } }
            if trigger.kind.optionalValues.contains(placeholder.path) && !hasDefault {
                problem("'\(placeholder.path)' may be missing for some members of trigger '\(trigger.id)': add a default, e.g. {{ \(placeholder.path) | default: \"…\" }}")
            }
        }
        if template.linkCount > 0 && config.links == nil {
            log.add(file: template.path, at: nil, "uses {{ link … }} but \(config.sourcePath) has no links: { base: \"https://…/\" }")
        }
    }

    /// Renders the template with the longest value each placeholder can take (see
    /// `worstCaseValues`) and counts segments after signature and opt-out.
    private func checkSegments(_ template: MessageTemplate, for trigger: Trigger) {
        guard let limit = config.sms.maxSegments else { return }
        let composer = MessageComposer(sms: config.sms, links: config.links ?? LinkSettings(base: "https://x/"))
        let values = Self.worstCaseValues(for: trigger, couponCodeLength: catalog.longestCouponCode(for: trigger))
        let message = composer.compose(template, channel: .sms, category: trigger.category, values: values,
                                       linkToken: String(repeating: "W", count: SendCodes.tokenLength))
        let worst = SMSSegments(message.text)
        if worst.count > limit {
            let unit = worst.encoding == .ucs2 ? "UCS-2 characters" : "GSM-7 characters"
            log.add(file: template.path, at: SourcePosition(line: 1, column: 1),
                    "for trigger '\(trigger.id)' this SMS can take \(worst.count) segments in the worst case (\(worst.units) \(unit)), more than sms.max_segments \(limit)")
        }
    }

    /// The longest rendering each value can have, as documented in docs/triggers.md:
    /// names 10 and tiers 6 Chinese characters, ids and SKUs 24 characters, amounts
    /// 999999.99, counts 7 digits, dates with two-digit months and days.
    /// `couponCodeLength`: `Catalog.longestCouponCode(for:)`.
    public static func worstCaseValues(for trigger: Trigger, couponCodeLength: Int) -> [String: TemplateValue] {
        let chinese = { (count: Int) in TemplateValue.text(String(repeating: "龘", count: count)) }
        let latin = { (count: Int) in TemplateValue.text(String(repeating: "W", count: count)) }
        let largest = TemplateValue.money(Money(fen: 99_999_999))
        let date = TemplateValue.date(CivilDate(year: 2026, month: 12, day: 31)!)
        // A declared event attribute: as long as a tier name (from, to) or a name.
        return Dictionary(uniqueKeysWithValues: trigger.kind.eventAttributePaths.map { ($0, chinese(10)) }).merging([
            "member.id": latin(24), "member.name": chinese(10), "member.tier": chinese(6), "member.stored_value": largest,
            "member.points_balance": .number(9_999_999), "points.expiring": .number(9_999_999), "points.expires_on": date,
            "cart.sku": latin(24), "cart.category": chinese(8), "inactive_days": .number(9999),
            "coupon.code": latin(couponCodeLength),
            "coupon.title": .text(trigger.offer?.title ?? ""), "coupon.expires_on": date, "trigger.name": .text(trigger.name),
            "link.token": latin(SendCodes.tokenLength),
            "event.amount": largest, "event.sku": latin(24), "event.category": chinese(8),
        ]) { attribute, _ in attribute }
    }
}
