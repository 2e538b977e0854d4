import { TableWrap } from './components';
import { DIRECTIONS, fmtNumber, fmtTime, ORDER_STATUSES, ORDER_TYPES } from './format';

/** A page of LEAN orders (backtests/orders/read, live/orders/read) and the pager under it. */
export interface Order {
  id: number;
  time: string;
  symbol?: { value?: string };
  type: number;
  direction: number;
  quantity: number;
  price: number;
  status: number;
  value?: number;
}

export const ORDERS_PAGE = 25;

export function OrdersTable(props: { orders: Order[]; start: number; total: number; onStart: (start: number) => void }) {
  const { start, total } = props;
  if (total === 0) return <p class="muted">No orders.</p>;
  return (
    <div data-testid="orders" data-start={start} data-total={total}>
      <TableWrap label="Orders">
        <table>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Symbol</th>
              <th scope="col">Type</th>
              <th scope="col">Direction</th>
              <th scope="col">Quantity</th>
              <th scope="col">Price</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {props.orders.map((o) => (
              <tr key={o.id}>
                <td class="num">{o.id}</td>
                <td>{fmtTime(o.time)}</td>
                <td>{o.symbol?.value ?? '–'}</td>
                <td>{ORDER_TYPES[o.type] ?? o.type}</td>
                <td>{DIRECTIONS[o.direction] ?? o.direction}</td>
                <td class="num">{fmtNumber(o.quantity, 4)}</td>
                <td class="num">{fmtNumber(o.price, 4)}</td>
                <td>{ORDER_STATUSES[o.status] ?? o.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <Pager start={start} total={total} page={ORDERS_PAGE} onStart={props.onStart} />
    </div>
  );
}

export function Pager(props: { start: number; total: number; page: number; onStart: (start: number) => void }) {
  const { start, total, page } = props;
  return (
    <div class="pager">
      <button type="button" disabled={start === 0} onClick={() => props.onStart(Math.max(0, start - page))}>
        Previous
      </button>
      <span aria-live="polite">
        {start + 1}–{Math.min(start + page, total)} of {total}
      </span>
      <button type="button" disabled={start + page >= total} onClick={() => props.onStart(start + page)}>
        Next
      </button>
    </div>
  );
}
