package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.KubernetesManifests.K8S;
import static dev.tailsampling.jobs.KubernetesManifests.onPath;
import static dev.tailsampling.jobs.KubernetesManifests.requireInCi;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The alert rules under {@code k8s/prometheus} pass Prometheus's own checks and their unit tests. */
class PrometheusRulesTest {

    @Test
    void theRulesAreValid() throws Exception {
        assertThat(promtool("check", "rules", "alerts.yaml")).contains("SUCCESS");
    }

    @Test
    void theRulesFireWhenTheyShouldAndOnlyThen() throws Exception {
        assertThat(promtool("test", "rules", "tests/alerts-test.yaml")).contains("SUCCESS");
    }

    /** promtool's output, run in {@code k8s/prometheus}; a non-zero exit fails with that output. */
    private static String promtool(String... args) throws Exception {
        requireInCi(onPath("promtool"), "promtool is not on the PATH (Debian's prometheus package has it)");
        String[] command = new String[args.length + 1];
        command[0] = "promtool";
        System.arraycopy(args, 0, command, 1, args.length);
        Process promtool = new ProcessBuilder(command)
                .directory(K8S.resolve("prometheus").toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(promtool.exitValue()).as(out).isZero();
        return out;
    }
}
