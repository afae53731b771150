package dev.tailsampling.jobs;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.rest.RESTCatalogServer;

/**
 * Iceberg's own REST catalog server (from its published test fixtures) over a Hadoop catalog in a
 * folder, on a fixed port, so that a test can stop it and start it again as an outage would, with
 * every table still there; or, from {@link #main}, in a JVM of its own for the Spark check.
 */
public final class RestCatalogServer implements AutoCloseable {
    private final Map<String, String> config;
    private final int port;
    private RESTCatalogServer server;

    RestCatalogServer(Path warehouse) throws IOException {
        this(warehouse, JobTestSupport.freePort());
    }

    private RestCatalogServer(Path warehouse, int port) {
        this.port = port;
        config = Map.of(
                RESTCatalogServer.REST_PORT, String.valueOf(port),
                CatalogProperties.CATALOG_IMPL, HadoopCatalog.class.getName(),
                CatalogProperties.WAREHOUSE_LOCATION, warehouse.toUri().toString());
    }

    void start() throws Exception {
        // The fixture takes its configuration through a package-private constructor.
        Constructor<RESTCatalogServer> constructor = RESTCatalogServer.class.getDeclaredConstructor(Map.class);
        constructor.setAccessible(true);
        server = constructor.newInstance(config);
        server.start(false);
    }

    void stop() throws Exception {
        server.stop();
        server = null;
    }

    String uri() {
        return "http://localhost:" + port + "/";
    }

    /**
     * {@code RestCatalogServer WAREHOUSE PORT}: serves the folder until its input closes, for a
     * reader in another JVM (the Spark check); prints {@code ready} once it listens.
     */
    public static void main(String[] args) throws Exception {
        try (RestCatalogServer served = new RestCatalogServer(Paths.get(args[0]), Integer.parseInt(args[1]))) {
            served.start();
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the reader closes our input or ends
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            stop();
        }
    }
}
