class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
total = 0
pts = [Point(i, i * 2) for i in range(1000)]
for r in range(2000):
    for p in pts:
        total += p.x + p.y
print(total)
