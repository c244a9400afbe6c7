package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void unitPricesAreCanonicalWithAtLeastTwoDecimals() {
        assertThat(Money.unitPrice(new BigDecimal("12.5"))).contains(new BigDecimal("12.50"));
        assertThat(Money.unitPrice(new BigDecimal("12.50000"))).contains(new BigDecimal("12.50"));
        assertThat(Money.unitPrice(new BigDecimal("8"))).contains(new BigDecimal("8.00"));
        assertThat(Money.unitPrice(new BigDecimal("1E+2"))).contains(new BigDecimal("100.00"));
        assertThat(Money.unitPrice(new BigDecimal("0.0001"))).contains(new BigDecimal("0.0001"));
        assertThat(Money.unitPrice(new BigDecimal("0E-30"))).contains(new BigDecimal("0.00"));
        assertThat(Money.unitPrice(new BigDecimal("999999999999.9999"))).contains(new BigDecimal("999999999999.9999"));
    }

    @Test
    void unitPricesOutOfBoundsAreRefusedOnDigitsAndScaleFirst() {
        for (String price : new String[] {"1e999999999", "1e-999999999", "0E-10000", "0e-999999999",
                "12.5" + "0".repeat(63), "1" + "0".repeat(40), "-1", "0.00001", "1000000000000"}) {
            assertThat(Money.unitPrice(new BigDecimal(price))).as(price).isEmpty();
        }
    }

    @Test
    void storedValuesReadBackCanonicalOrNotAtAll() {
        assertThat(Money.stored(new BigDecimal("0E-10000"))).isEqualTo(new BigDecimal("0.00"));
        assertThat(Money.stored(new BigDecimal("0e-999999999"))).isEqualTo(new BigDecimal("0.00"));
        assertThat(Money.stored(new BigDecimal("12.5" + "0".repeat(63)))).isEqualTo(new BigDecimal("12.50"));
        assertThatIllegalStateException().isThrownBy(() -> Money.stored(new BigDecimal("1e-999999999")))
                .withMessageContaining("cannot be read");
        assertThatIllegalStateException().isThrownBy(() -> Money.stored(new BigDecimal("1e999999999")));
    }

    @Test
    void descriptionsStayShort() {
        assertThat(Money.describe(new BigDecimal("1e999999999"))).isEqualTo("1E+999999999");
        assertThat(Money.describe(new BigDecimal("1" + "7".repeat(500)))).hasSizeLessThan(60);
    }
}
