/**
 * The device handler SPI. A handler turns storage into logical units at one of two levels: a
 * {@link io.karst.api.device.BlockBackend} (read, write, flush, unmap, capacity) on which core
 * emulates the whole SBC command set, or a {@link io.karst.api.device.CommandBackend} that
 * executes CDBs itself (pass-through, tape, CD-ROM).
 */
@Version("1.0.0")
@Export
package io.karst.api.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
