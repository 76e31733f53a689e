import Foundation

/// Reading a user's text file (config, trigger, template) with problems reported, not thrown.
public enum SourceFile {
    /// The file's UTF-8 text, or nil with a diagnostic saying why not.
    public static func read(_ path: String, what: String, log: DiagnosticLog) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            log.add(file: path, at: nil, "cannot read the \(what)")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            log.add(file: path, at: nil, "the \(what) is not UTF-8 text")
            return nil
        }
        return text
    }

    /// The JSON5 value in `text`, or nil with the syntax error's position.
    public static func parseJSON5(_ text: String, path: String, log: DiagnosticLog) -> JSONValue? {
        do {
            return try JSONParser.parse(text, dialect: .json5)
        } catch {
            log.add(file: path, at: error.position, error.message)
            return nil
        }
    }
}
