import Foundation

/// Loads `herald.json5`, every `Triggers/*.json5` and every template, and checks them
/// against each other (SPEC 1.1–1.3). All problems go to one log, so `herald validate`
/// shows them together; the catalog is only returned when there are none.
public enum CatalogLoader {
    public static func load(configPath: String, log: DiagnosticLog) -> Catalog? {
        guard let config = ConfigLoader.load(path: configPath, log: log) else { return nil }
        let triggers = loadTriggers(folder: config.triggersFolder, configPath: configPath, segments: config.segments, log: log)
        let (templates, mappings) = loadTemplates(folder: config.templatesFolder, configPath: configPath, log: log)
        let catalog = Catalog(config: config, triggers: triggers, templates: templates, providerMappings: mappings)
        CatalogChecks(catalog: catalog, log: log).run()
        return log.isEmpty ? catalog : nil
    }

    /// Throws a `ConfigLoader.Failure` with every problem.
    public static func load(configPath: String) throws -> Catalog {
        let log = DiagnosticLog()
        guard let catalog = load(configPath: configPath, log: log) else {
            throw ConfigLoader.Failure(diagnostics: log.diagnostics)
        }
        return catalog
    }

    static func loadTriggers(folder: String, configPath: String, segments: [String: FilterExpression] = [:],
                             log: DiagnosticLog) -> [Trigger] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            log.add(file: configPath, at: nil, "triggers: cannot read the folder \(folder)")
            return []
        }
        var triggers: [Trigger] = []
        var seen: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".json5") {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let trigger = TriggerLoader.load(path: path, segments: segments, log: log) else { continue }
            if let first = seen[trigger.id] {
                log.add(file: path, at: trigger.positions["id"], "id: '\(trigger.id)' is already used by \(first)")
                continue
            }
            seen[trigger.id] = path
            triggers.append(trigger)
        }
        return triggers
    }

    /// `<folder>/<template>/<channel>.<locale>.txt` and `<channel>.providers.json5`; any other
    /// file name there is an error.
    static func loadTemplates(folder: String, configPath: String, log: DiagnosticLog)
        -> ([Catalog.TemplateKey: MessageTemplate], [Catalog.MappingKey: ProviderMapping]) {
        let files = FileManager.default
        guard let templateNames = try? files.contentsOfDirectory(atPath: folder) else {
            log.add(file: configPath, at: nil, "templates: cannot read the folder \(folder)")
            return ([:], [:])
        }
        var templates: [Catalog.TemplateKey: MessageTemplate] = [:]
        var mappings: [Catalog.MappingKey: ProviderMapping] = [:]
        for templateName in templateNames.sorted() {
            let templateFolder = (folder as NSString).appendingPathComponent(templateName)
            var isFolder: ObjCBool = false
            guard files.fileExists(atPath: templateFolder, isDirectory: &isFolder), isFolder.boolValue else { continue }
            var htmlFiles: [(path: String, locale: String)] = []
            for fileName in ((try? files.contentsOfDirectory(atPath: templateFolder)) ?? []).sorted() {
                let path = (templateFolder as NSString).appendingPathComponent(fileName)
                let pieces = fileName.split(separator: ".", maxSplits: 1).map(String.init)
                if pieces.count == 2, pieces[0] == ChannelKind.email.rawValue, pieces[1].hasSuffix(".html"),
                   let locale = MemberRecordDecoder.normalizedLocale(String(pieces[1].dropLast(5))) {
                    htmlFiles.append((path, locale))
                    continue
                }
                if pieces.count == 2, pieces[1] == "providers.json5", let channel = ChannelKind(rawValue: pieces[0]) {
                    if let text = SourceFile.read(path, what: "provider mapping", log: log),
                       let mapping = ProviderMapping.parse(text, path: path, log: log) {
                        mappings[Catalog.MappingKey(template: templateName, channel: channel)] = mapping
                    }
                    continue
                }
                guard fileName.hasSuffix(".txt"), pieces.count == 2, let channel = ChannelKind(rawValue: pieces[0]),
                      let locale = MemberRecordDecoder.normalizedLocale(String(pieces[1].dropLast(4)))
                else {
                    log.add(file: path, at: nil, "expected a file name <channel>.<locale>.txt with channel sms, push, email or wechat "
                                + "(e.g. sms.zh-CN.txt), email.<locale>.html, or <channel>.providers.json5")
                    continue
                }
                let titleKey: String? = switch channel {
                case .sms: nil
                case .push: "title"
                case .email: "subject"
                case .wechat: nil
                }
                guard let text = SourceFile.read(path, what: "template", log: log),
                      let template = MessageTemplate.parse(text, path: path, titleKey: titleKey, log: log)
                else { continue }
                templates[Catalog.TemplateKey(template: templateName, channel: channel, locale: locale)] = template
            }
            // An HTML e-mail goes with its text version (the plain part every mail client can show).
            for (path, locale) in htmlFiles {
                let key = Catalog.TemplateKey(template: templateName, channel: .email, locale: locale)
                guard templates[key] != nil else {
                    log.add(file: path, at: nil, "an HTML e-mail needs its text version beside it: email.\(locale).txt "
                                + "(its first line gives the subject)")
                    continue
                }
                guard let text = SourceFile.read(path, what: "template", log: log),
                      let parsed = MessageTemplate.parseInline(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text,
                                                               path: path, start: SourcePosition(line: 1, column: 1), log: log)
                else { continue }
                templates[key]?.html = parsed.body
                templates[key]?.htmlPath = path
            }
        }
        return (templates, mappings)
    }
}
