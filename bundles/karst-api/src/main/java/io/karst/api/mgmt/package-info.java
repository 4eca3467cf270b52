/**
 * How drivers and handlers describe their configuration (attribute descriptors), and the
 * read-only view of the running system that the shell, JMX and tools use.
 */
@Version("1.0.0")
@Export
package io.karst.api.mgmt;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
