import { identityRepository } from '../../core/data/identity/identity-repository';
import type { User } from '../../core/domain/identity/types';
import { displayUsers } from '../../core/domain/identity/user-directory';

const user = (id: number): User => ({ id, name: `User ${id}`, email: `u${id}@x`, created: '2026-01-01T00:00:00.000Z' });

test('display names are read once per 30 s and only for ids not already known', async () => {
  const getUsers = jest.spyOn(identityRepository, 'getUsers').mockImplementation(async (ids) => new Map(ids.map((id) => [id, user(id)])));
  const first = await displayUsers([1, 2, 2], 0);
  expect([...first.keys()].sort()).toEqual([1, 2]);
  expect(getUsers).toHaveBeenLastCalledWith([1, 2]);

  const second = await displayUsers([2, 3], 10_000);
  expect(second.get(2)?.name).toBe('User 2');
  expect(getUsers).toHaveBeenCalledTimes(2);
  expect(getUsers).toHaveBeenLastCalledWith([3]);

  await displayUsers([1], 30_001);
  expect(getUsers).toHaveBeenCalledTimes(3);
  expect(getUsers).toHaveBeenLastCalledWith([1]);
  getUsers.mockRestore();
});
