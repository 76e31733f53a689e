#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HeraldCore

/// Runs a program to completion and measures it the way the benchmark needs: wall time
/// on a monotonic clock and the child's peak resident set size (from `wait4`'s rusage,
/// which `Foundation.Process` does not expose).
struct ChildProcess {
    struct Measurement {
        var exitStatus: Int32
        var seconds: Double
        var peakRSSMebibytes: Double
        /// User plus system CPU time of the child.
        var cpuSeconds: Double
    }

    /// `stdoutPath` / `stderrPath` receive the child's output (the benchmark keeps them for inspection).
    static func run(_ executable: String, _ arguments: [String], stdoutPath: String, stderrPath: String) throws -> Measurement {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        let exited = status & 0x7F == 0
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
        return Measurement(exitStatus: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), seconds: seconds,
                           peakRSSMebibytes: Double(usage.ru_maxrss) / 1024, cpuSeconds: cpu)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
