export function setupBulkDownload() {}
