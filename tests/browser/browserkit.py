"""Small helpers the browser tests share."""
import time


def wait_for(predicate, timeout=15):
    """Poll `predicate` until it returns something truthy (and return that), or fail after `timeout` s."""
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def grid_rows(duo, grid_id):
    """The rows an AG Grid has rendered, as {column id: the cell's visible text}, top to bottom."""
    return duo.driver.execute_script("""
        var rows = {};
        document.querySelectorAll('#' + arguments[0] + ' .ag-center-cols-container .ag-row, #' + arguments[0]
                                  + ' .ag-pinned-left-cols-container .ag-row').forEach(function (r) {
          var i = +r.getAttribute('row-index'); rows[i] = rows[i] || {};
          r.querySelectorAll('.ag-cell').forEach(function (c) { rows[i][c.getAttribute('col-id')] = c.innerText; });
        });
        return Object.keys(rows).sort(function (a, b) { return a - b; }).map(function (k) { return rows[k]; });""",
                                     grid_id) or []


def grid_filter(duo, grid_id, col_id, text):
    """Type into a column's floating filter box, as a person would."""
    from selenium.webdriver.common.keys import Keys
    box = duo.driver.execute_script("""
        var h = document.querySelector('#' + arguments[0] + ' .ag-header-cell[col-id="' + arguments[1] + '"]');
        var n = h.getAttribute('aria-colindex');
        return document.querySelector('#' + arguments[0] + ' .ag-floating-filter[aria-colindex="' + n + '"] input');""",
                                    grid_id, col_id)
    box.clear()
    box.send_keys(text + Keys.ENTER)


def click_row(duo, grid_id, predicate_text, col_id=None):
    """Click the first rendered row whose text holds `predicate_text` (in column `col_id` if given)."""
    cell = wait_for(lambda: duo.driver.execute_script("""
        var rows = document.querySelectorAll('#' + arguments[0] + ' .ag-center-cols-container .ag-row');
        for (var k = 0; k < rows.length; k++) {
          if (rows[k].innerText.indexOf(arguments[1]) >= 0) {
            return arguments[2] ? rows[k].querySelector('.ag-cell[col-id="' + arguments[2] + '"]')
                                : rows[k].querySelector('.ag-cell');
          }
        }
        return null;""", grid_id, predicate_text, col_id))
    cell.click()
    return cell
