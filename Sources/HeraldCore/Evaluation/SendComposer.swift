import Foundation

/// Turns a policy's `planned` decision into the message itself (SPEC 1.3): pure, so the
/// scheduler, tests and the benchmark render the same way.
public struct SendComposer: Sendable {
    public let catalog: Catalog
    private let composer: MessageComposer

    public init(catalog: Catalog) {
        self.catalog = catalog
        composer = MessageComposer(sms: catalog.config.sms, links: catalog.config.links)
    }

    /// A template the catalog check guaranteed is missing: a bug, reported rather than crashing.
    public struct MissingTemplate: Error, CustomStringConvertible {
        public var description: String
    }

    /// Renders a planned send: the template for the variant, channel and member locale,
    /// the member's values, a fresh link token and, with an offer, a fresh coupon.
    /// `fallbacks` are rendered too, with the same values, link token and coupon.
    public func makeSend(_ candidate: TriggerCandidate, trigger: Trigger, channel: ChannelConfig, address: String,
                         scheduledAt: Date, variant: Trigger.Variant?, fallbacks: [ChannelRoute] = [],
                         codes: inout SendCodes) throws -> PlannedSend {
        let member = candidate.member
        let templateName = variant?.template ?? trigger.template
        func template(for channel: ChannelConfig) throws -> MessageTemplate {
            guard let template = catalog.template(templateName, channel: channel.kind, locale: member.locale) else {
                throw MissingTemplate(description: "no \(channel.kind.rawValue) template '\(templateName)' for trigger \(trigger.id)")
            }
            return template
        }
        var values = candidate.values
        values["member.id"] = .text(member.id)
        values["member.name"] = member.profile.name.map(TemplateValue.text)
        values["member.tier"] = member.profile.tier.map(TemplateValue.text)
        values["member.stored_value"] = member.profile.storedValue.map(TemplateValue.money)
        values["member.points_balance"] = .number(member.pointsBalance ?? 0)
        values["trigger.name"] = .text(trigger.name)
        values = TemplateValue.clipped(values)
        var coupon: PlannedSend.Coupon?
        if let offer = trigger.offer {
            let issued = PlannedSend.Coupon(code: codes.couponCode(prefix: offer.codePrefix), title: offer.title,
                                            expiresAt: scheduledAt + TimeInterval(offer.validDays * 86_400))
            values["coupon.code"] = .text(issued.code)
            values["coupon.title"] = .text(issued.title)
            values["coupon.expires_on"] = .date(LocalTime.date(of: issued.expiresAt, in: member.timeZone))
            coupon = issued
        }
        let token = codes.linkToken()
        values["link.token"] = .text(token)
        let message = composer.compose(try template(for: channel), channel: channel.kind, category: trigger.category,
                                       values: values, linkToken: token)
        func providerContent(for channel: ChannelConfig) -> String? {
            catalog.providerMapping(templateName, channel: channel.kind)?.rendered(
                for: channel.providers.map(\.name), values: values, link: { composer.trackedLink(token: token, index: $1) })
        }
        // Every rendering's links are tracked under the one token: a fallback's numbered after
        // the links before it, so /<token>/<n> finds its target whichever channel carried it.
        var linkTargets = message.linkTargets
        var alternatives: [PlannedSend.Fallback] = []
        for route in fallbacks {
            let rendered = composer.compose(try template(for: route.channel), channel: route.channel.kind,
                                            category: trigger.category, values: values, linkToken: token,
                                            firstLinkIndex: linkTargets.count + 1)
            linkTargets += rendered.linkTargets
            alternatives.append(PlannedSend.Fallback(
                channel: route.channel.name, channelKind: route.channel.kind, address: route.address, title: rendered.title,
                text: rendered.text, segments: rendered.segments, providerContent: providerContent(for: route.channel),
                html: rendered.html))
        }
        var send = PlannedSend(
            triggerID: trigger.id, category: trigger.category, memberKey: member.key, memberID: member.id,
            memberName: member.profile.name, occurrenceKey: candidate.occurrenceKey, channel: channel.name,
            channelKind: channel.kind, address: address, scheduledAt: scheduledAt,
            expiresAt: trigger.expire.map { scheduledAt + TimeInterval($0.seconds) }, timeZone: member.timeZone,
            template: templateName, variant: variant?.id, title: message.title, text: message.text, segments: message.segments,
            linkToken: token, linkTargets: linkTargets, coupon: coupon,
            attributionUntil: scheduledAt + TimeInterval(trigger.attributionWindow.seconds))
        if trigger.deliver == .all {
            send.companions = alternatives
        } else {
            send.fallbacks = alternatives
        }
        send.html = message.html
        send.providerContent = providerContent(for: channel)
        return send
    }
}
