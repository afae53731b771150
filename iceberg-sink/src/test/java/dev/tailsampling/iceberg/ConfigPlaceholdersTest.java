package dev.tailsampling.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPlaceholdersTest {
    @TempDir
    Path temp;

    @Test
    void resolvesEnvironmentFileAndFolderPlaceholdersAndLeavesOtherValuesAlone() throws Exception {
        Path file = Files.writeString(temp.resolve("catalog.properties"), "token=s3cr3t\nuser=svc\n");
        Path dir = Files.createDirectories(temp.resolve("secret"));
        Files.writeString(dir.resolve("password"), "hunter2\n");

        Map<String, String> resolved = ConfigPlaceholders.resolve(
                Map.of(
                        "token", "${file:" + file + ":token}",
                        "credential", "${file:" + file + ":user}:${env:CATALOG_KEY}",
                        "password", "${dir:" + dir + ":password}",
                        "uri", "http://catalog:8181"),
                Map.of("CATALOG_KEY", "k3y")::get);

        assertThat(resolved)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "token",
                        "s3cr3t",
                        "credential",
                        "svc:k3y",
                        "password",
                        "hunter2",
                        "uri",
                        "http://catalog:8181"));
    }

    @Test
    void aMissingSecretNamesThePropertyAndTheSourceButNoValue() throws Exception {
        Path file = Files.writeString(temp.resolve("catalog.properties"), "other=s3cr3t\n");

        assertThatThrownBy(() -> ConfigPlaceholders.resolve(Map.of("token", "${env:NOT_SET_ANYWHERE}"), name -> null))
                .hasMessage("token: environment variable NOT_SET_ANYWHERE is not set");
        assertThatThrownBy(() -> ConfigPlaceholders.resolve(Map.of("token", "${file:" + file + ":token}")))
                .hasMessageContaining("has no key token")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> ConfigPlaceholders.resolve(Map.of("token", "${file:" + file + "}")))
                .hasMessageContaining("needs a path and a key");
    }
}
