package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.IcebergOptions;
import dev.tailsampling.jobs.query.QueryServer;
import dev.tailsampling.jobs.query.TraceQueries;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * {@code serve [--serve.* ...] [--iceberg.* ...]}: Jaeger's query API over the tables until
 * stopped, for Jaeger's UI and Grafana's Jaeger data source (see {@link QueryServer}).
 */
final class ServeCommand {
    static final ConfigOption<Integer> PORT = ConfigOptions.key("serve.port")
            .intType()
            .defaultValue(16686)
            .withDescription("Port of the query API; 16686 is Jaeger's query port. 0 takes a free one.");
    static final ConfigOption<String> HOST = ConfigOptions.key("serve.host")
            .stringType()
            .defaultValue("0.0.0.0")
            .withDescription("Address to listen on; 0.0.0.0 is every interface.");
    static final ConfigOption<Duration> TIMEOUT = ConfigOptions.key("serve.timeout")
            .durationType()
            .defaultValue(Duration.ofSeconds(10))
            .withDescription("Longest a query may take before it is answered with a 504.");
    static final ConfigOption<Integer> MAX_SPANS = ConfigOptions.key("serve.max-spans")
            .intType()
            .defaultValue(20_000)
            .withDescription("Most spans a trace answer holds; a larger trace is a 413 (query it with SQL).");
    static final ConfigOption<Duration> LOOKBACK = ConfigOptions.key("serve.lookback")
            .durationType()
            .defaultValue(Duration.ofDays(7))
            .withDescription("How far back the service and operation lists look in service_metrics.");

    static final List<ConfigOption<?>> OPTIONS = List.of(PORT, HOST, TIMEOUT, MAX_SPANS, LOOKBACK);

    static final Command COMMAND = new Command(
            "serve",
            "Jaeger's query API over the tables, for Jaeger's UI and Grafana's Jaeger data source",
            "usage: serve [--serve.port 16686] [--serve.host 0.0.0.0] [--serve.timeout 10s]"
                    + " [--serve.max-spans 20000] [--serve.lookback 7d] [--iceberg.catalog-type T]"
                    + " [--iceberg.warehouse W] [--iceberg.namespace N] [--iceberg.catalog.KEY VALUE]",
            ServeCommand::run);

    /** The command's parameters, checked. */
    record Parameters(IcebergCatalogConf catalog, QueryServer.Settings settings, Duration lookback) {

        /** From {@code --name value} pairs; a bad or unknown parameter throws, naming it. */
        static Parameters parse(String... args) {
            Map<String, String> params = JobParameters.parse(args);
            JobParameters.rejectUnknown(
                    params,
                    Stream.concat(OPTIONS.stream(), IcebergOptions.ALL.stream()).toList());
            Configuration config = Configuration.fromMap(params);
            int port = JobParameters.read(config, PORT, "a port number from 0 to 65535");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("--" + PORT.key() + ": " + port + " is not a port from 0 to 65535");
            }
            int maxSpans = JobParameters.read(config, MAX_SPANS, "a positive whole number");
            if (maxSpans < 1) {
                throw new IllegalArgumentException("--" + MAX_SPANS.key() + " must be positive, was " + maxSpans);
            }
            return new Parameters(
                    JobParameters.catalog(params),
                    new QueryServer.Settings(
                            JobParameters.nonBlank(config, HOST),
                            port,
                            JobParameters.positive(config, TIMEOUT),
                            maxSpans),
                    JobParameters.positive(config, LOOKBACK));
        }
    }

    private ServeCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Parameters parameters;
        try {
            parameters = Parameters.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("serve: " + e.getMessage());
            return 2;
        }
        TraceQueries queries;
        try {
            queries = new TraceQueries(parameters.catalog(), parameters.lookback(), Clock.systemUTC());
        } catch (RuntimeException e) {
            err.println("serve: cannot load the tables of the "
                    + parameters.catalog().describe() + ": " + Cli.oneLine(e));
            return 1;
        }
        QueryServer server = QueryServer.start(queries, parameters.settings());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                err.println("serve: stopping: " + Cli.oneLine(e));
            }
        }));
        out.println("serving Jaeger's query API at " + server.uri() + " over the "
                + parameters.catalog().describe() + "; a trace: " + server.uri() + "api/v3/traces/TRACE_ID");
        out.flush();
        server.join();
        return 0;
    }
}
