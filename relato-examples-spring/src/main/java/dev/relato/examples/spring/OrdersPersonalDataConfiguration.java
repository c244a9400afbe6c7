package dev.relato.examples.spring;

import dev.relato.examples.orders.OrdersApp;
import dev.relato.examples.orders.OrdersKeys;
import dev.relato.privacy.KeyEncryptionKey;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The key-encryption key of the customers' personal data, found as the plain example finds it
 * ({@link OrdersKeys}): the file of {@code relato.examples.key-file}, else {@code RELATO_ORDERS_KEK} or
 * {@code RELATO_ORDERS_KEK_FILE}, else on SQLite a development key generated beside the database file. Its bean
 * makes the starter encrypt the fields marked personal (the customer's name in {@code OrderPlaced}).
 */
@Configuration(proxyBeanMethods = false)
class OrdersPersonalDataConfiguration {
    @Bean
    KeyEncryptionKey ordersKeyEncryptionKey(Environment environment) {
        String store = environment.getProperty("relato.store", "sqlite");
        Optional<Path> keyFile = Optional.ofNullable(environment.getProperty("relato.examples.key-file"))
                .filter(file -> !file.isBlank()).map(Path::of);
        Optional<Path> sqlite = store.equals("sqlite")
                ? Optional.of(Path.of(environment.getProperty("relato.sqlite.path", "relato-orders.db"))
                .toAbsolutePath().normalize())
                : Optional.empty();
        return OrdersKeys.keyEncryptionKey(OrdersApp.Store.valueOf(store.toUpperCase(Locale.ROOT)), keyFile,
                System::getenv, sqlite);
    }
}
