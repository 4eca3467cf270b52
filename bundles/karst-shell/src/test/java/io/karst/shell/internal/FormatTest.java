package io.karst.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FormatTest {

  @Test
  void sizesAreBinaryWithOneDecimal() {
    assertThat(Format.size(0)).isEqualTo("0 B");
    assertThat(Format.size(512)).isEqualTo("512 B");
    assertThat(Format.size(1023)).isEqualTo("1023 B");
    assertThat(Format.size(1024)).isEqualTo("1.0 KiB");
    assertThat(Format.size(1536)).isEqualTo("1.5 KiB");
    assertThat(Format.size(1L << 30)).isEqualTo("1.0 GiB");
    assertThat(Format.size((1L << 40) - 1)).as("rounds into the next unit").isEqualTo("1.0 TiB");
    assertThat(Format.size(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
  }

  @Test
  void flagsTextAndAttributes() {
    assertThat(Format.yesNo(true)).isEqualTo("yes");
    assertThat(Format.yesNo(false)).isEqualTo("no");
    assertThat(Format.text(null)).isEmpty();
    assertThat(Format.text("x")).isEqualTo("x");
    assertThat(Format.attributes(Map.of("b", "2", "a", "1", "enabled", "1"), "enabled"))
        .isEqualTo("a=1 b=2");
    assertThat(Format.attributes(Map.of())).isEmpty();
  }
}
