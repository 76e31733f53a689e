import Foundation
import HeraldCore
import Synchronization

/// Where commands write: standard output and error in production, memory in tests.
public final class Console: Sendable {
    private let writeOutput: @Sendable (String) -> Void
    private let writeError: @Sendable (String) -> Void
    /// Whether standard output is a terminal (people) rather than a pipe or file (programs):
    /// commands pick their default format by it.
    public let outputIsTerminal: Bool

    public init(output: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void,
                outputIsTerminal: Bool = false) {
        writeOutput = output
        writeError = error
        self.outputIsTerminal = outputIsTerminal
    }

    public static let standard = Console(
        output: { text in
            do {
                try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
            } catch {
                standardOutputFailure.withLock { $0 = $0 ?? "\(error)" }
            }
        },
        error: { try? FileHandle.standardError.write(contentsOf: Data($0.utf8)) },
        outputIsTerminal: isatty(STDOUT_FILENO) != 0)

    /// The first error writing standard output met (a full disk, `> /dev/full`): the command
    /// line then exits 2 saying so, instead of trapping or claiming success.
    static let standardOutputFailure = Mutex<String?>(nil)

    public var outputFailure: String? {
        self === Console.standard ? Console.standardOutputFailure.withLock { $0 } : nil
    }

    /// A console that keeps everything written, for tests.
    public static func capturing() -> (console: Console, output: @Sendable () -> String, error: @Sendable () -> String) {
        let output = Mutex("")
        let error = Mutex("")
        let console = Console(output: { text in output.withLock { $0 += text } },
                              error: { text in error.withLock { $0 += text } })
        return (console, { output.withLock { $0 } }, { error.withLock { $0 } })
    }

    /// Control characters are dropped on the way out (tab and newline kept): member data
    /// holding ESC or BEL never drives the terminal.
    public func print(_ line: String) { writeOutput(SensitiveText.withoutControlCharacters(line) + "\n") }

    public func printError(_ line: String) { writeError(SensitiveText.withoutControlCharacters(line) + "\n") }
}
