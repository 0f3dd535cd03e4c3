// Test environment: Powertools quiet (metrics and logs are asserted through counts, not stdout).
process.env.POWERTOOLS_METRICS_DISABLED = "true";
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Jest runs a worker per core: the CLI's runs read and generate on their main thread. The worker
// thread's own tests ask for it (readInWorker: true).
process.env.SIDELINE_WORKER_THREADS = "off";
