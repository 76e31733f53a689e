/// `store: { …, key: "{{ secret.HERALD_STORE_KEY }}", previous_key: "…" }` as the config
/// writes it (SPEC 9): the text, with where it stands so that a bad key is reported at its
/// line. The secrets are substituted and the key decoded when the store is opened
/// (`StoreKeys(resolving:)` in the worker), never at load: `validate` runs where they are not.
public struct StoreKeySetting: Sendable, Equatable {
    public struct Text: Sendable, Equatable {
        public var text: String
        public var diagnosticFile: String
        public var position: SourcePosition?

        public init(text: String, diagnosticFile: String, position: SourcePosition?) {
            self.text = text
            self.diagnosticFile = diagnosticFile
            self.position = position
        }

        /// A problem with this setting, at its place in the config.
        public func problem(_ message: String) -> Diagnostic {
            Diagnostic(file: diagnosticFile, position: position, message: message)
        }
    }

    public var key: Text
    public var previousKey: Text?

    public init(key: Text, previousKey: Text? = nil) {
        self.key = key
        self.previousKey = previousKey
    }
}
