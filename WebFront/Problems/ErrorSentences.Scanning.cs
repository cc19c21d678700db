namespace Pcrs.WebFront.Problems;

public static partial class ErrorSentences
{
    /// <summary>Sentences of crawl bounds, declarations, scan outcomes (Grains/Scanning).</summary>
    private static IEnumerable<ErrorSentence> Scanning() =>
    [
        S("scan.bound-entries", "Crawl bound reached: the directory lists more than {0} entries (Scanning:MaxEntriesPerDirectory); it is not scanned."),
        S("scan.bound-depth", "Crawl bound reached: \"{0}\" is more than {1} levels below the start path (Scanning:MaxDepth); it is not listed."),
        S("scan.bound-budget", "Crawl bound reached: the {0} already took in {1} {2} ({3}); this branch is not crawled."),
        S("scan.scope-root", "scan root"),
        S("scan.scope-scan", "scan"),
        S("scan.unit-directories", "directories"),
        S("scan.unit-entries", "listed entries"),
        S("scan.unit-bytes", "bytes of listed names"),
        S("scan.loop", "Loop: \"{0}\" lists exactly what \"{1}\" lists (a link or redirect to a parent); it is not crawled further."),
        ErrorSentence.Varying("scan.long-names", "^(.+?): (\\d+) names? (?:is|are) too long to be recorded \\(more than (\\d+) bytes of path\\), e\\.g\\. \"(.+?)\" \\((\\d+) bytes\\); skipped\\.$", 89),
        S("scan.login-unproven", "The login could not be proven."),
        S("scan.login-no-longer", "The server no longer accepts this login: {0}"),
        S("scan.password-not-needed", "The server did not need this password to list its start path, and another password for this account is proven: declare the account's password."),
        S("scan.other-password-unasked", "Another password is proven for this account, and the server could not be asked again ({0}); declare again later."),
        S("scan.other-password", "Another password is proven for this account and the server still accepts it; this one was not needed where it was tried. Declare the account's current password."),
        S("scan.paused", "Scanning of this storage was paused by an administrator; the scan was stopped."),
        S("scan.revoked", "The storage was revoked or detached from its last deliverable; its scan was stopped."),
        S("scan.not-listed", "The storage could not be listed."),
        S("scan.not-declared", "The storage is not declared any more."),
        S("scan.no-proven-login", "No declaration of this storage has a proven login."),
        S("scan.password-undecryptable", "The declaration's password cannot be decrypted (the key ring is missing or was rotated away); declare it again."),
        S("scan.no-answer", "The server did not answer within {0} s."),
        S("scan.circuit-open", "The server is taken as down after {0} failures in a row (last: {1}); not tried again for {2} s."),
        S("scan.partial-server", "The server failed during the scan: {0} could not be read (refused, timeout or server error); they are read again at the next scan."),
        ErrorSentence.Varying("scan.count-files-folders", "^(\\d+) files? and (\\d+) folders?$", 21),
        ErrorSentence.Varying("scan.count-files", "^(\\d+) files?$", 7),
        ErrorSentence.Varying("scan.count-folders", "^(\\d+) folders?$", 9),
        ErrorSentence.Varying("scan.partial-bounded", "^(\\d+) folders? (?:was|were) not crawled: a crawl bound or a loop ended (?:it|them) \\(each folder's listing error names which\\)\\.$", 57),
        S("scan.first", "First: {0}"),
        ErrorSentence.Varying("scan.path-reason", "^(/.*?): (.+)$", 2),
        S("scan.not-reached", "{0}: not reached by the last scan (missing on the storage, or a folder above it could not be listed)"),
        S("scan.folder-unlisted", "the folder could not be listed"),
    ];
}
