/**
 * The SCSI model shared by every transport and every backend: tasks, status, sense data and
 * task attributes, in the words of SAM-5 and SPC-4.
 */
@Version("1.0.0")
@Export
package io.karst.api.scsi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
