package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The iSCSI codec: framing a SCSI Command PDU with immediate data out of a byte stream, and
 * encoding a Data-In PDU with the status (phase collapse), as the connection's pipeline does for
 * every command. The codec's methods are called directly, with the context of a test channel
 * they sit in (for its allocator), so the figures are the codec's own, not the channel's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PduBenchmark {

  /** Bytes of data in the PDU: 0 for a read command, 4096 for a 4 KiB write's immediate data. */
  @Param({"0", "4096"})
  int dataLength;

  /** Whether CRC32C header and data digests are on, as negotiated per connection. */
  @Param({"false", "true"})
  boolean digests;

  private final PduDecoder decoder = new PduDecoder();
  private final PduEncoder encoder = new PduEncoder();
  private final List<Object> out = new ArrayList<>();
  private ChannelHandlerContext decoderContext;
  private ChannelHandlerContext encoderContext;
  private ByteBuf wire;
  private ByteBuf data;

  @Setup(Level.Trial)
  public void setUp() {
    PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    decoderContext = new EmbeddedChannel(decoder).pipeline().context(decoder);
    encoderContext = new EmbeddedChannel(encoder).pipeline().context(encoder);
    decoder.maxDataSegmentLength(262144);
    decoder.digests(digests, digests);
    encoder.digests(digests, digests);
    data = alloc.directBuffer(Math.max(dataLength, 4096)).writeZero(Math.max(dataLength, 4096));
    Pdu command = Pdu.create(alloc, Opcode.SCSI_COMMAND).set8(1, 0xA1).set32(Pdu.ITT, 7)
        .set32(20, dataLength);
    if (dataLength > 0) {
      command = command.withData(data.retainedSlice(0, dataLength));
    }
    encoder.encode(encoderContext, command, out);
    command.release();
    wire = alloc.directBuffer();
    for (Object part : out) {
      wire.writeBytes((ByteBuf) part);
      ReferenceCountUtil.release(part);
    }
    out.clear();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    wire.release();
    data.release();
  }

  @Benchmark
  public int decodeCommand() {
    ByteBuf in = wire.duplicate();
    decoder.decode(decoderContext, in, out);
    Pdu pdu = (Pdu) out.get(0);
    out.clear();
    int itt = pdu.itt() + pdu.dataLength();
    pdu.release();
    return itt;
  }

  @Benchmark
  public int encodeDataInWithStatus() {
    Pdu pdu = Pdu.create(PooledByteBufAllocator.DEFAULT, Opcode.DATA_IN).set8(1, 0x81)
        .set32(Pdu.ITT, 7).set32(Pdu.STAT_SN, 1).set32(Pdu.BUFFER_OFFSET, 0)
        .withData(data.retainedSlice(0, 4096));
    encoder.encode(encoderContext, pdu, out);
    pdu.release();
    int parts = out.size();
    out.forEach(ReferenceCountUtil::release);
    out.clear();
    return parts;
  }
}
