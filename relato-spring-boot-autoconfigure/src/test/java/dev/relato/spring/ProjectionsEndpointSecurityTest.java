package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.projection.Projection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The projections endpoint over HTTP with Spring Security on the class path and Spring Boot's default security for
 * the actuator: its write operations (pause, resume, rebuild) and its reads are refused without credentials, and
 * nothing is paused or rebuilt.
 */
@SpringBootTest(classes = ProjectionsEndpointSecurityTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relato.store=memory", "management.endpoints.web.exposure.include=health,projections",
                "spring.security.user.name=operator", "spring.security.user.password=s3cret"})
class ProjectionsEndpointSecurityTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    RelatoProjections projections;

    @ParameterizedTest
    @ValueSource(strings = {"pause", "resume", "rebuild"})
    void aWriteOperationWithoutCredentialsIsRefused(String operation) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/actuator/projections/owners/" + operation))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(projections.isPaused("owners")).isFalse();
    }

    @Test
    void aWriteOperationWithWrongCredentialsIsRefused() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/actuator/projections/owners/pause"))
                .header("Authorization", basic("operator", "guess")).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(projections.isPaused("owners")).isFalse();
    }

    @Test
    void readingTheProjectionsNeedsCredentialsToo() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/actuator/projections")).GET()).statusCode()).isEqualTo(401);
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/actuator/projections"))
                .header("Authorization", basic("operator", "s3cret")).GET());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"name\":\"owners\"");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(exclude = DataSourceAutoConfiguration.class)
    @Import(RelatoAutoConfigurationTest.AccountsConfiguration.class)
    static class App {
        @Bean
        Projection<Object> owners() {
            return Accounts.owners(Accounts.newModel());
        }
    }
}
