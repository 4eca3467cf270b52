/**
 * The target driver SPI: how a transport (iSCSI, in-JVM, a vendor's fabric) brings commands
 * from initiators to core through I_T nexuses.
 */
@Version("1.0.0")
@Export
package io.karst.api.target;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
