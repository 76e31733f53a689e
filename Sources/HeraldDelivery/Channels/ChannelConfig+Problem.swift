import HeraldCore

extension ChannelConfig {
    /// A start-up problem of this entry, at the position of `key` (or of the entry).
    public func problem(_ key: String?, _ message: String) -> Diagnostic {
        let position = key.flatMap { positions[$0] } ?? self.position
        let setting = "channels.\(name)" + (key.map { ".\($0)" } ?? "")
        return Diagnostic(file: sourcePath, position: position, message: "\(setting): \(message)")
    }
}
