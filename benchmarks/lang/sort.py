a = []
x = 12345
for i in range(1000000):
    x = (x * 1103515245 + 12345) % 2147483648
    a.append(x)
a.sort()
print(a[0], a[500000], a[999999])
