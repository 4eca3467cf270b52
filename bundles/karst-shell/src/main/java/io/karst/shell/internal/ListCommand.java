package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * What every {@code karst:*-list} command is: one snapshot of {@link Management} made into a
 * table. A subclass only builds the table; Karaf injects {@link #management} into this
 * superclass's field as well, and the table goes to {@code System.out}, which Karaf points at
 * the session's terminal.
 */
abstract class ListCommand implements Action {

  @Reference
  Management management;

  @Override
  public final Object execute() {
    table().print(System.out);
    return null;
  }

  /** The table to print, built from {@link #management}. */
  abstract ShellTable table();

  /** A table with these column headers. */
  static ShellTable columns(String... headers) {
    ShellTable table = new ShellTable();
    for (String header : headers) {
      table.column(header);
    }
    return table;
  }
}
