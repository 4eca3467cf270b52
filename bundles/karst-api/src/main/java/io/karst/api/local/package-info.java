/**
 * The in-JVM initiator (SCST's scst_local): Java code sends CDBs to LUNs in-process, to embed
 * Karst in an application or to test SCSI behaviour without a network.
 */
@Version("1.0.0")
@Export
package io.karst.api.local;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
